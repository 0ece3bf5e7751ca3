// v2 authentication: where the access token comes from, and the interface that checks it (and the
// terms gate). The accounts feature provides the real authenticator.
import type { FastifyRequest } from "fastify";
import { MatrixError } from "../errors.js";
import type { Args } from "./args.js";

export interface Authenticator {
  /**
   * The user ID owning `token`, or a thrown `M_UNAUTHORIZED`; with `requireTerms`, also
   * `M_TERMS_NOT_SIGNED` when the user has not accepted the current terms.
   */
  authenticate(token: string | undefined, requireTerms: boolean): Promise<string>;
}

/** Whether the request carries `Authorization: Bearer ...` (case-sensitive prefix, as Sydent). */
export function hasBearer(req: FastifyRequest): boolean {
  const header = req.headers.authorization;
  return typeof header === "string" && header.startsWith("Bearer ");
}

/**
 * `Authorization: Bearer <token>` first (case-sensitive prefix, as Sydent), else an `access_token`
 * argument: from the query string on GET (Synapse still sends it to `hash_details`) and, unlike
 * Sydent (whose body is read only once), from the JSON body on POST.
 */
export function tokenFromRequest(req: FastifyRequest, args: Args): string | undefined {
  const header = req.headers.authorization;
  if (hasBearer(req)) return String(header).slice("Bearer ".length);
  const fromArgs = args["access_token"];
  return typeof fromArgs === "string" ? fromArgs : undefined;
}

/** Until accounts exist: every v2 request that needs a token is refused. */
export const refuseAll: Authenticator = {
  authenticate: async () => {
    throw new MatrixError("M_UNAUTHORIZED", "Unauthorized");
  },
};
