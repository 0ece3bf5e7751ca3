// `GET /v2/terms` (the policies users must accept, no authentication) and `POST /v2/terms` (accept
// some of them; authenticated but not gated by the terms, since that is how a user gets through).
import Type from "typebox";
import { acceptTerms, policiesOf, type TermsProvider } from "../../domain/terms.js";
import type { AccountStore } from "../../store/store.js";
import type { Route } from "../route.js";
import { authenticatedUser } from "../route.js";

export interface TermsRouteDeps {
  terms: TermsProvider;
  accounts: AccountStore;
}

export function termsRoutes(route: Route, deps: TermsRouteDeps): void {
  route({
    method: "GET",
    path: "/terms",
    versions: ["v2"],
    args: Type.Object({}),
    handler: async () => ({ policies: policiesOf(await deps.terms.current()) }),
  });
  route({
    method: "POST",
    path: "/terms",
    versions: ["v2"],
    auth: "token",
    // A string instead of a list is refused (Sydent iterates it character by character and
    // reports every character as an unrecognised URL).
    args: Type.Object({
      user_accepts: Type.Array(Type.String(), { errorMessage: "user_accepts must be a list of URLs" }),
    }),
    handler: async (ctx) => {
      const terms = await deps.terms.current();
      await acceptTerms(deps.accounts, terms, authenticatedUser(ctx), ctx.args.user_accepts);
      return {};
    },
  });
}
