// `GET /v2/account` (who am I) and `POST /v2/account/logout` (forget this token).
import Type from "typebox";
import { logout } from "../../domain/accounts.js";
import type { AccountStore } from "../../store/store.js";
import { tokenFromRequest } from "../auth.js";
import type { Route } from "../route.js";
import { authenticatedUser } from "../route.js";

export interface AccountRouteDeps {
  accounts: AccountStore;
}

export function accountRoutes(route: Route, deps: AccountRouteDeps): void {
  route({
    method: "GET",
    path: "/account",
    versions: ["v2"],
    auth: "terms",
    args: Type.Object({}),
    handler: (ctx) => ({ user_id: authenticatedUser(ctx) }),
  });
  // Checks the token itself rather than through the route's auth, to tell a missing token (401
  // M_UNAUTHORIZED) from an unknown one (401 M_UNKNOWN_TOKEN). The token may come from the header
  // or, unlike Sydent (which then answers 400 M_BAD_JSON), from a JSON body.
  route({
    method: "POST",
    path: "/account/logout",
    versions: ["v2"],
    optionalBody: true,
    args: Type.Object({ access_token: Type.Optional(Type.String()) }),
    handler: async ({ req, args }) => {
      await logout(deps.accounts, tokenFromRequest(req, args));
      return {};
    },
  });
}
