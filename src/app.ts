// buildApp(deps): the client-API Fastify instance with its error model, CORS, request log and
// routes. No I/O happens here: main.ts opens the store, builds deps and listens.
import Fastify, { LogController, type FastifyInstance, type FastifyServerFactory } from "fastify";
import type { FastifyBaseLogger } from "fastify";
import type { Deps } from "./deps.js";
import { createClientIp } from "./http/client-ip.js";
import { installCors } from "./http/cors.js";
import { decodeColons, installErrorHandling, sendFrameworkError } from "./http/error-handler.js";
import { installRequestLog } from "./http/request-log.js";
import { genReqId, installRequestId } from "./http/request-id.js";
import { REQUEST_ID_LABEL } from "./log.js";
import { isEphemeralKeyValid } from "./domain/invites.js";
import { createRouter } from "./http/route.js";
import { accountRoutes } from "./http/routes/account.js";
import { bindRoutes, internalBindRoutes } from "./http/routes/bind.js";
import { registerRoutes } from "./http/routes/register.js";
import { installHttpMetrics } from "./metrics/http.js";
import { healthRoutes } from "./http/routes/health.js";
import { lookupRoutes } from "./http/routes/lookup.js";
import { emailRoutes } from "./http/routes/email.js";
import { msisdnRoutes } from "./http/routes/msisdn.js";
import { inviteRoutes } from "./http/routes/invites.js";
import { pubkeyRoutes } from "./http/routes/pubkey.js";
import { termsRoutes } from "./http/routes/terms.js";
import { validated3pidRoutes } from "./http/routes/validated3pid.js";
import { versionRoutes } from "./http/routes/versions.js";

/** Sydent's client-API body limit (512 KiB); larger bodies are refused with M_TOO_LARGE. */
export const CLIENT_BODY_LIMIT = 512 * 1024;

/**
 * A Fastify instance with Cairn's HTTP conventions and no routes: every listener starts here.
 * `serverFactory` builds the node server (the replication listener's is HTTPS).
 */
export function baseApp(
  log: FastifyBaseLogger,
  bodyLimit: number | undefined,
  serverFactory?: FastifyServerFactory,
): FastifyInstance {
  const app = Fastify({
    serverFactory,
    loggerInstance: log,
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: REQUEST_ID_LABEL }),
    bodyLimit,
    genReqId,
    frameworkErrors: (error, _req, reply) => sendFrameworkError(error, reply),
    // Sydent percent-decodes path segments before matching; the router already decodes everything
    // but reserved characters, and of those only `:` occurs in our paths (`pubkey/ed25519%3A0`).
    rewriteUrl: (req) => decodeColons(req.url ?? "/"),
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: false, caseSensitive: true },
  });
  // Bodies are kept raw; http/args.ts reads them by Sydent's rules (JSON, form or nothing).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));
  installRequestId(app);
  installErrorHandling(app);
  installRequestLog(app);
  return app;
}

/** The client API: every route of the Identity Service API Cairn serves (over HTTPS with `serverFactory`). */
export function buildApp(deps: Deps, serverFactory?: FastifyServerFactory): FastifyInstance {
  const app = baseApp(deps.log, CLIENT_BODY_LIMIT, serverFactory);
  installCors(app);
  installHttpMetrics(app, deps.metrics);
  const route = createRouter(app, { enableV1: deps.config.general.enableV1Access, auth: deps.auth });
  versionRoutes(route);
  healthRoutes(route, deps.store);
  pubkeyRoutes(route, {
    publicKeyBase64: deps.serverKey.publicKeyBase64,
    checkEphemeralKey: (key) => isEphemeralKeyValid(deps, key),
  });
  accountRoutes(route, { accounts: deps.store.accounts });
  registerRoutes(route, {
    accounts: deps.store.accounts,
    federation: deps.federation,
    random: deps.random,
    clock: deps.clock,
    log: deps.log,
    allowList: deps.config.general.homeserverAllowList,
  });
  termsRoutes(route, { terms: deps.terms, accounts: deps.store.accounts });
  lookupRoutes(route, {
    associations: deps.store.associations,
    clock: deps.clock,
    serverName: deps.config.general.serverName,
    serverKey: deps.serverKey,
    pepper: deps.pepper,
    addressLookupLimit: deps.config.general.addressLookupLimit,
  });
  const sessions = {
    ...deps,
    clientHttpBase: deps.config.http.clientHttpBase,
    clientIp: createClientIp(deps.config.http),
    smsConfig: deps.config.sms,
  };
  emailRoutes(route, sessions);
  msisdnRoutes(route, sessions);
  validated3pidRoutes(route, deps);
  inviteRoutes(route, deps);
  bindRoutes(route, deps);
  return app;
}

/**
 * The internal API (`internalapi.http.*`): bind and unbind without any proof, for the operator's
 * own services; only network isolation protects it, as in Sydent.
 */
export function buildInternalApp(deps: Deps): FastifyInstance {
  const app = baseApp(deps.log, CLIENT_BODY_LIMIT);
  installCors(app);
  installHttpMetrics(app, deps.metrics);
  internalBindRoutes(createRouter(app, { enableV1: false, auth: deps.auth }), deps);
  return app;
}
