// Everything a request handler or background job may use, built once in main.ts and passed down.
// Tests build their own (test/deps.ts) with a pinned clock, scripted randomness and real parts.
import type { Logger } from "pino";
import type { Clock } from "./clock.js";
import type { Config } from "./config/types.js";
import type { Random } from "./crypto/random.js";
import type { FederationClient } from "./federation/types.js";
import type { XMatrixVerifier } from "./federation/xmatrix.js";
import type { SigningKey } from "./crypto/signing-key.js";
import type { TermsProvider } from "./domain/terms.js";
import type { RateLimiter } from "./domain/ratelimit.js";
import type { Authenticator } from "./http/auth.js";
import type { Metrics } from "./metrics/metrics.js";
import type { OnbindKick } from "./jobs/onbind-delivery.js";
import type { Replication } from "./replication/service.js";
import type { Mailer, SmsSender, VerifyResponsePages } from "./senders/types.js";
import type { Store } from "./store/store.js";

export interface Deps {
  config: Config;
  store: Store;
  /** The long-term key every association and invite proof is signed with (`ed25519:0`). */
  serverKey: SigningKey;
  clock: Clock;
  random: Random;
  log: Logger;
  /** v2 bearer-token authentication and the terms gate. */
  auth: Authenticator;
  /** The terms of service in force (`[general] terms.path`), followed while running. */
  terms: TermsProvider;
  metrics: Metrics;
  /** Requests to homeservers (`matrix://` discovery, deny-list, TLS per federation.verifycerts). */
  federation: FederationClient;
  /** Checks homeserver-signed (X-Matrix) requests, e.g. an unbind on a user's behalf. */
  xmatrix: XMatrixVerifier;
  /** Renders a brand's email template and sends it over SMTP. */
  mailer: Mailer;
  /** The page shown when an emailed validation link is opened. */
  verifyPages: VerifyResponsePages;
  /** Sends SMS through the configured provider. */
  sms: SmsSender;
  /** The v2 lookup pepper, read (or created) once at start-up. */
  pepper: string;
  /** Replication to peers: `poke()` once a bind or unbind has committed. */
  replication: Replication;
  /** Bind notifications to homeservers: `kick()` once a bind that queued one has committed. */
  onbind: OnbindKick;
  /** Limits on validation messages per sender, phone number and country. */
  rateLimiter: RateLimiter;
}
