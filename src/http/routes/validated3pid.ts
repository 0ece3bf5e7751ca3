// GET {v1,v2}/3pid/getValidated3pid (behaviour §1.11): what a validated session proves. Synapse
// calls the v1 path when it delegates SMS validation.
import Type from "typebox";
import { getValidatedSession, type SessionDeps } from "../../domain/sessions.js";
import type { Route } from "../route.js";
import { clientSecretOf } from "./session-args.js";

export function validated3pidRoutes(route: Route, deps: SessionDeps): void {
  route({
    method: "GET",
    path: "/3pid/getValidated3pid",
    versions: ["v1", "v2"],
    auth: "terms",
    args: Type.Object({ sid: Type.String(), client_secret: Type.String() }),
    handler: async ({ args }) => {
      const session = await getValidatedSession(deps, args.sid, clientSecretOf(args.client_secret));
      // As Sydent: validated_at is the time of the last requestToken, and the address is as requested.
      return { medium: session.medium, address: session.address, validated_at: session.mtime };
    },
  });
}
