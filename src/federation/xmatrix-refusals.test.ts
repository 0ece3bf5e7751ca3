// X-Matrix refusals: every header and key-reply problem with Sydent's code and message, and the
// header parser itself.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import pino from "pino";
import { FIXTURE_NOW } from "../../test/deps.js";
import { matrixRejection, scriptedClient } from "../../test/federation.js";
import { fixedClock } from "../clock.js";
import { FederationError } from "./types.js";
import { authorizationHeaders, createXMatrixVerifier, parseXMatrix } from "./xmatrix.js";
import type { XMatrixRequest } from "./xmatrix.js";

const log = pino({ level: "silent" });

describe("X-Matrix: refusals before and after the key fetch", () => {
  const verifier = (reply: unknown) =>
    createXMatrixVerifier({
      client: scriptedClient(reply),
      serverName: "id.test",
      clock: fixedClock(FIXTURE_NOW),
      log,
    });
  const req = (...authorization: string[]): XMatrixRequest => ({
    method: "POST",
    uri: "/x",
    authorization,
    content: {},
  });
  const ok = { verify_keys: {} };

  test("headers: missing, not X-Matrix, malformed, bad origin", async () => {
    await assert.rejects(
      verifier(ok).verify(req()),
      matrixRejection(401, "M_FORBIDDEN", "Missing Authorization headers"),
    );
    await assert.rejects(
      verifier(ok).verify(req("Bearer abc")),
      matrixRejection(401, "M_FORBIDDEN", "Missing X-Matrix Authorization header"),
    );
    for (const bad of [
      "X-Matrix",
      "X-Matrix origin=a.test, key=k,sig=s",
      "X-Matrix origin=a.test,key=k",
      "X-Matrix origin=a.test,key,sig=s",
    ]) {
      await assert.rejects(
        verifier(ok).verify(req(bad)),
        matrixRejection(401, "M_FORBIDDEN", "Malformed Authorization header"),
        bad,
      );
    }
    await assert.rejects(
      verifier(ok).verify(req("X-Matrix origin=bad_origin!,key=k,sig=s")),
      matrixRejection(
        400,
        "M_INVALID_PARAM",
        "X-Matrix header's origin parameter must be a valid Matrix server name",
      ),
    );
  });

  test("key replies: not JSON, no verify_keys, wrong types", async () => {
    const header = "X-Matrix origin=a.test,key=ed25519:k,sig=s";
    await assert.rejects(
      verifier("<html>").verify(req(header)),
      matrixRejection(500, "M_UNKNOWN", "Internal Server Error"),
    );
    await assert.rejects(
      verifier({ keys: {} }).verify(req(header)),
      matrixRejection(401, "M_FORBIDDEN", "No key found in response"),
    );
    await assert.rejects(
      verifier([1]).verify(req(header)),
      matrixRejection(401, "M_FORBIDDEN", "No key found in response"),
    );
    await assert.rejects(
      verifier({ verify_keys: [] }).verify(req(header)),
      matrixRejection(401, "M_FORBIDDEN", "Invalid type for verify_keys: expected dict, got []"),
    );
    await assert.rejects(
      verifier({ verify_keys: { "ed25519:k": { key: 5 } } }).verify(req(header)),
      matrixRejection(401, "M_FORBIDDEN", "Invalid type for verify_keys/ed25519:k/key: expected str, got 5"),
    );
    await assert.rejects(
      verifier({ verify_keys: {}, valid_until_ts: 1.5 }).verify(req(header)),
      matrixRejection(401, "M_FORBIDDEN", "Invalid valid_until_ts received, must be an integer"),
    );
    await assert.rejects(
      verifier({ verify_keys: { "ed25519:k": {} } }).verify(req(header)),
      matrixRejection(401, "M_FORBIDDEN", "No matching signature found"),
    );
    await assert.rejects(
      verifier({ verify_keys: { "ed25519:k": { key: "c2hvcnQ" } } }).verify(req(header)),
      matrixRejection(
        401,
        "M_FORBIDDEN",
        "Unable to verify signature for a.test: ed25519:k is not a usable ed25519 key",
      ),
    );
  });

  test("a failure other than the network is not dressed up as one", async () => {
    const v = createXMatrixVerifier({
      client: scriptedClient(new Error("bug")),
      serverName: "id.test",
      clock: fixedClock(FIXTURE_NOW),
      log,
    });
    await assert.rejects(v.verify(req("X-Matrix origin=a.test,key=k,sig=s")), /bug/);
    const t = createXMatrixVerifier({
      client: scriptedClient(new FederationError("timeout", "timed out after 1 s waiting for a.test")),
      serverName: "id.test",
      clock: fixedClock(FIXTURE_NOW),
      log,
    });
    await assert.rejects(
      t.verify(req("X-Matrix origin=a.test,key=k,sig=s")),
      matrixRejection(500, "M_UNKNOWN", /\(TimeoutError\)$/),
    );
  });
});

describe("X-Matrix header parsing", () => {
  test("Sydent's rules", () => {
    assert.deepEqual(parseXMatrix('X-Matrix origin="a.test",key="ed25519:1",sig="abc="'), {
      origin: "a.test",
      key: "ed25519:1",
      sig: "abc=",
    });
    assert.deepEqual(parseXMatrix("X-Matrix origin=a.test,destination=id.test,key=k,sig=s,origin=b.test"), {
      origin: "b.test",
      key: "k",
      sig: "s",
    });
    assert.deepEqual(parseXMatrix('X-Matrix origin="a.test,key=k",sig=s'), {
      origin: "a.tes",
      key: 'k"',
      sig: "s",
    });
    assert.deepEqual(parseXMatrix("X-Matrix origin=a,key=k,sig=s trailing words"), {
      origin: "a",
      key: "k",
      sig: "s",
    });
    assert.equal(parseXMatrix("X-Matrix  origin=a,key=k,sig=s"), null);
    assert.equal(parseXMatrix("X-Matrix "), null);
  });

  test("every Authorization header from the raw list", () => {
    assert.deepEqual(
      authorizationHeaders(["Host", "x", "Authorization", "a", "authorization", "b", "X-Other", "c"]),
      ["a", "b"],
    );
  });
});
