// POST {v1,v2}/3pid/bind and /3pid/unbind (behaviour §1.12, §1.13), and the internal API's bind
// and unbind (§1.23, §1.24) that trust their caller. Unbind takes either proof: a validated session
// for the 3PID, or a request signed (X-Matrix) by the mxid's homeserver.
import Type from "typebox";
import type { FastifyRequest } from "fastify";
import {
  bind,
  bindWithSession,
  checkUnbindOrigin,
  checkUnbindSession,
  unbind,
  type BindingDeps,
} from "../../domain/bindings.js";
import type { SessionDeps } from "../../domain/sessions.js";
import { MatrixError } from "../../errors.js";
import { authorizationHeaders, type XMatrixVerifier } from "../../federation/xmatrix.js";
import type { Threepid } from "../../store/store.js";
import type { Route } from "../route.js";
import { clientSecretOf } from "./session-args.js";

export type BindRouteDeps = BindingDeps & SessionDeps & { xmatrix: XMatrixVerifier };

export const INTERNAL_PREFIX = "/_matrix/identity/internal";

/** `threepid.medium` and `.address`, with Sydent's message when either is missing. */
function threepidOf(value: unknown): Threepid {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new MatrixError("M_MISSING_PARAMS", "Threepid lacks medium / address");
  }
  const { medium, address } = value as Record<string, unknown>;
  if (medium === undefined || address === undefined) {
    throw new MatrixError("M_MISSING_PARAMS", "Threepid lacks medium / address");
  }
  if (typeof medium !== "string" || typeof address !== "string") {
    throw new MatrixError("M_INVALID_PARAM", "Invalid parameter: threepid");
  }
  return { medium, address };
}

/** The request target as received (before Cairn's own rewriting): what the homeserver signed. */
function rawTarget(req: FastifyRequest): string {
  return (req.raw as { originalUrl?: string }).originalUrl ?? req.url;
}

export function bindRoutes(route: Route, deps: BindRouteDeps): void {
  route({
    method: "POST",
    path: "/3pid/bind",
    versions: ["v1", "v2"],
    auth: "terms",
    args: Type.Object({ sid: Type.Unknown(), client_secret: Type.Unknown(), mxid: Type.String() }),
    handler: ({ args, version, userId }) => {
      const clientSecret = clientSecretOf(args.client_secret);
      if (version === "v2" && args.mxid !== userId) {
        throw new MatrixError("M_UNAUTHORIZED", "This user is prohibited from binding to the mxid", {
          status: 403,
        });
      }
      return bindWithSession(deps, args.sid, clientSecret, args.mxid);
    },
  });
  route({
    method: "POST",
    path: "/3pid/unbind",
    versions: ["v1", "v2"],
    alwaysJson: true,
    args: Type.Object({ threepid: Type.Unknown(), mxid: Type.String() }),
    handler: async ({ args, req }) => {
      const threepid = threepidOf(args.threepid);
      const { sid, client_secret: secret } = args as Record<string, unknown>;
      if (sid !== undefined && secret !== undefined) {
        await checkUnbindSession(deps, sid, clientSecretOf(secret), threepid);
      } else {
        const origin = await deps.xmatrix.verify({
          method: req.method,
          uri: rawTarget(req),
          authorization: authorizationHeaders(req.raw.rawHeaders),
          content: args,
        });
        checkUnbindOrigin(args.mxid, origin);
      }
      await unbind(deps, { ...threepid, mxid: args.mxid });
      return {};
    },
  });
}

const internalArgs = Type.Object({ medium: Type.String(), address: Type.String(), mxid: Type.String() });

/** The internal API: no authentication, network isolation is its only protection (as Sydent). */
export function internalBindRoutes(route: Route, deps: BindingDeps): void {
  route({
    method: "POST",
    path: `${INTERNAL_PREFIX}/bind`,
    alwaysJson: true,
    args: internalArgs,
    handler: ({ args }) => bind(deps, args),
  });
  route({
    method: "POST",
    path: `${INTERNAL_PREFIX}/unbind`,
    alwaysJson: true,
    args: internalArgs,
    handler: async ({ args }) => {
      await unbind(deps, args);
      return {};
    },
  });
}
