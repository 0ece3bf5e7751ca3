// The long-term public key and the validity checks homeservers make for third-party invites
// (`key_validity_url`s in room state point at the v1 paths, so both trees serve them, unauthenticated).
import Type from "typebox";
import type { Route } from "../route.js";

export interface PubkeyDeps {
  /** The server key's public half, standard unpadded base64. */
  publicKeyBase64: string;
  /** Bumps the check count of an ephemeral invite key and says whether it is (still) valid. */
  checkEphemeralKey(publicKey: string): Promise<boolean>;
}

export function pubkeyRoutes(route: Route, deps: PubkeyDeps): void {
  const versions = ["v1", "v2"] as const;
  // Only the literal key id `ed25519:0` is served, whatever the key's version, as Sydent does.
  route({
    method: "GET",
    path: "/pubkey/ed25519:0",
    versions,
    args: Type.Object({}),
    handler: () => ({ public_key: deps.publicKeyBase64 }),
  });
  route({
    method: "GET",
    path: "/pubkey/isvalid",
    versions,
    args: Type.Object({ public_key: Type.String() }),
    handler: ({ args }) => ({ valid: args.public_key === deps.publicKeyBase64 }),
  });
  route({
    method: "GET",
    path: "/pubkey/ephemeral/isvalid",
    versions,
    args: Type.Object({ public_key: Type.String() }),
    handler: async ({ args }) => ({ valid: await deps.checkEphemeralKey(args.public_key) }),
  });
}
