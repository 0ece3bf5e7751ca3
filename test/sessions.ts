// The client API for validation-session tests: real store, clock and rate limiter; by default
// senders that record what they are asked to send (end-to-end tests take the configured ones, with
// real SMTP and HTTP servers), and a test authenticator that knows one v2 token.
import type { FastifyInstance } from "fastify";
import { buildApp } from "../src/app.js";
import type { RateLimiter } from "../src/domain/ratelimit.js";
import { MatrixError } from "../src/errors.js";
import type { Authenticator } from "../src/http/auth.js";
import {
  EmailSendError,
  SmsSendError,
  type EmailRequest,
  type Mailer,
  type SmsRequest,
  type SmsSender,
  type VerifyResponsePages,
} from "../src/senders/types.js";
import { testDeps, type TestDeps, type TestDepsOptions } from "./deps.js";
import { registerSecrets } from "./log-secrets.js";

export const V1 = "/_matrix/identity/api/v1";
export const V2 = "/_matrix/identity/v2";
export const USER_TOKEN = "user-token";
export const USER_ID = "@user:example.org";
registerSecrets(USER_TOKEN);

/** Accepts USER_TOKEN as USER_ID; everything else is 401 M_UNAUTHORIZED. */
export const testAuth: Authenticator = {
  authenticate: async (token) => {
    if (token === USER_TOKEN) return USER_ID;
    throw new MatrixError("M_UNAUTHORIZED", "Unauthorized");
  },
};

export class RecordingMailer implements Mailer {
  readonly sent: EmailRequest[] = [];
  /** The next sends fail with this (then succeed again). */
  failures: Error[] = [];

  async send(request: EmailRequest): Promise<void> {
    const failure = this.failures.shift();
    registerSecrets(
      request.to,
      ...Object.entries(request.vars)
        .filter(([name]) => /token|secret/.test(name))
        .map(([, value]) => value),
    );
    if (failure) throw failure;
    this.sent.push(request);
  }

  smtpFailure(): void {
    this.failures.push(new EmailSendError("connection refused"));
  }

  refusedAddress(): void {
    this.failures.push(new MatrixError("M_INVALID_EMAIL", "Invalid email address"));
  }
}

export class RecordingSms implements SmsSender {
  readonly sent: SmsRequest[] = [];
  failures = 0;

  async send(request: SmsRequest): Promise<void> {
    // The code is the body's run of digits.
    registerSecrets(request.msisdn, ...(request.body.match(/\d{6,}/g) ?? []));
    if (this.failures > 0) {
      this.failures--;
      throw new SmsSendError("provider said no");
    }
    this.sent.push(request);
  }
}

/** `<brand>|<message>`: enough to see which page and brand a test got. */
export const fakePages: VerifyResponsePages = { render: (brand, message) => `${brand ?? "-"}|${message}` };

export interface SessionApp {
  app: FastifyInstance;
  deps: TestDeps;
  mailer: Mailer;
  sms: SmsSender;
  rateLimiter: RateLimiter;
  close(): Promise<void>;
}

export interface SessionAppOptions extends TestDepsOptions {
  /** Default: a RecordingMailer; `"real"`: the configured mailer (SMTP). */
  mailer?: Mailer | "real";
  /** Default: a RecordingSms; `"real"`: the configured provider. */
  sms?: SmsSender | "real";
  /** Default: `<brand>|<message>`; `"real"`: the brand's page. */
  verifyPages?: VerifyResponsePages | "real";
}

/** The app; the email limit is out of the way (burst 1000) unless the test's config sets it. */
export async function sessionApp(options: SessionAppOptions = {}): Promise<SessionApp> {
  const emailConf = { "email.ratelimit_sender.burst": 1000, ...options.conf?.email };
  const deps = await testDeps({ ...options, conf: { ...options.conf, email: emailConf } });
  const mailer = options.mailer === "real" ? deps.mailer : (options.mailer ?? new RecordingMailer());
  const sms = options.sms === "real" ? deps.sms : (options.sms ?? new RecordingSms());
  const verifyPages = options.verifyPages === "real" ? deps.verifyPages : (options.verifyPages ?? fakePages);
  const app = buildApp({
    ...deps,
    auth: testAuth,
    mailer,
    sms,
    verifyPages,
  });
  return {
    app,
    deps,
    mailer,
    sms,
    rateLimiter: deps.rateLimiter,
    async close() {
      await app.close();
      await deps.cleanup();
    },
  };
}
