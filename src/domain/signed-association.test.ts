import assert from "node:assert/strict";
import { test } from "node:test";
import { golden } from "../../test/golden.js";
import { GOLDEN_SEED } from "../../test/deps.js";
import { pythonJsonDumps } from "../crypto/canonical-json.js";
import { signingKeyFromSeed } from "../crypto/signing-key.js";
import {
  ASSOCIATION_LIFETIME_MS,
  signAssociation,
  type Association,
  type InviteDelivery,
} from "./signed-association.js";

const key = signingKeyFromSeed(GOLDEN_SEED, "0");
const server = golden.signing_key.server_name;

test("associations are signed and ordered exactly as Sydent signs and stores them", () => {
  for (const item of golden.signed_associations.items) {
    const input = item.input as unknown as Association;
    const signed = signAssociation(input, server, key);
    assert.deepEqual(signed, item.signed_association);
    assert.equal(pythonJsonDumps(signed), item.as_stored_sgAssoc);
    assert.equal(input.not_after! - input.ts, ASSOCIATION_LIFETIME_MS);
  }
});

test("a bind delivering an invite signs the association with its invites, as Sydent's addBinding", () => {
  const expected = golden.mxid_signed.signed_association_returned_by_addBinding;
  const invites = expected.invites as InviteDelivery[];
  const { signatures: _, ...fields } = expected;
  const signed = signAssociation({ ...(fields as unknown as Association), invites }, server, key);
  assert.deepEqual(signed, expected);
  assert.equal(pythonJsonDumps(signed), golden.mxid_signed.as_http_json_body.utf8);
});
