// `POST /v2/account/register`: exchange an OpenID token from the user's homeserver for an access
// token of this identity server.
import Type from "typebox";
import { registerWithOpenId, type RegistrationDeps } from "../../domain/openid.js";
import type { Route } from "../route.js";

/** Sydent reads at most 5 KiB of a registration request. */
export const REGISTER_BODY_LIMIT = 5 * 1024;

export function registerRoutes(route: Route, deps: RegistrationDeps): void {
  route({
    method: "POST",
    path: "/account/register",
    versions: ["v2"],
    bodyLimit: REGISTER_BODY_LIMIT,
    // Other OpenID fields (token_type, expires_in) are accepted and ignored.
    args: Type.Object({ matrix_server_name: Type.String(), access_token: Type.String() }),
    handler: async ({ args }) => {
      const token = await registerWithOpenId(deps, args.matrix_server_name, args.access_token);
      // `token` is the spec's name; `access_token` is kept for clients of the first draft.
      return { access_token: token, token };
    },
  });
}
