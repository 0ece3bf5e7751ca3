// Third-party invitations: `store-invite` (a homeserver stores an invitation for an unbound email
// address) and `sign-ed25519` (the invitee's client has the invitation signed with the ephemeral key
// from the email). v2 needs a token and signed terms; v1 is open, and the v1 `sign-ed25519` is what
// the email link makes Element call: POST, arguments in the query string, no body or a JSON `null`.
import Type from "typebox";
import { signInviteToken, storeInvite, type InviteDeps } from "../../domain/invites.js";
import type { Route } from "../route.js";
import { brandOf } from "../client-ip.js";

export function inviteRoutes(route: Route, deps: InviteDeps): void {
  const versions = ["v1", "v2"] as const;
  route({
    method: "POST",
    path: "/store-invite",
    versions,
    auth: "terms",
    // Any other argument is invitation data for the email.
    args: Type.Object({
      medium: Type.String(),
      address: Type.String(),
      room_id: Type.String(),
      sender: Type.String(),
    }),
    handler: ({ args, req, userId }) => storeInvite(deps, { args, userId, brand: brandOf(req) }),
  });
  route({
    method: "POST",
    path: "/sign-ed25519",
    versions,
    auth: "terms",
    args: Type.Object({ private_key: Type.String(), token: Type.String(), mxid: Type.String() }),
    handler: ({ args }) =>
      signInviteToken(deps, { token: args.token, privateKey: args.private_key, mxid: args.mxid }),
  });
}
