// Every way a lookup request can be refused, in Sydent's order of checks, on every engine.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { buildApp } from "../../app.js";
import { acceptTestToken, bearer } from "../../../test/auth.js";
import { engines, testDeps, type TestDeps } from "../../../test/deps.js";
import { V1, V2, v2Lookup } from "../../../test/lookups.js";

const hash = "DQ6ElmvUJAHhyfrfou-WIi3QaGvBC1tttKWeS3HGqZE";

for (const engine of engines()) {
  describe(`lookup errors (${engine})`, () => {
    let deps: TestDeps;
    let small: TestDeps;
    before(async () => {
      deps = await testDeps({ engine, auth: acceptTestToken });
      small = await testDeps({
        engine,
        auth: acceptTestToken,
        conf: { general: { address_lookup_limit: 3 } },
      });
    });
    after(async () => {
      await deps.cleanup();
      await small.cleanup();
    });

    const error = (res: { statusCode: number; json(): unknown }) => [res.statusCode, res.json()];
    const lookup = (body: Record<string, unknown>) =>
      v2Lookup(buildApp(deps), { algorithm: "sha256", pepper: deps.pepper, addresses: [], ...body });

    test("v2 routes need a token: 401 M_UNAUTHORIZED without or with a wrong one", async () => {
      const app = buildApp(deps);
      const unauthorized = [401, { errcode: "M_UNAUTHORIZED", error: "Unauthorized" }];
      const body = { addresses: [hash], algorithm: "sha256", pepper: deps.pepper };
      assert.deepEqual(
        error(await app.inject({ method: "POST", url: `${V2}/lookup`, payload: body })),
        unauthorized,
      );
      assert.deepEqual(error(await app.inject({ url: `${V2}/hash_details` })), unauthorized);
      const wrong = { authorization: "Bearer nope" };
      assert.deepEqual(error(await app.inject({ url: `${V2}/hash_details`, headers: wrong })), unauthorized);
      // Synapse sends its token in the query string to hash_details.
      const query = await app.inject({ url: `${V2}/hash_details?access_token=test-access-token` });
      assert.equal(query.statusCode, 200);
      assert.equal(query.json().lookup_pepper, deps.pepper);
    });

    test("missing arguments: M_MISSING_PARAMS naming them in Sydent's order", async () => {
      const app = buildApp(deps);
      const res = await app.inject({ method: "POST", url: `${V2}/lookup`, headers: bearer, payload: {} });
      assert.deepEqual(error(res), [
        400,
        { errcode: "M_MISSING_PARAMS", error: "Missing parameters: addresses,algorithm,pepper" },
      ]);
      const v1 = await app.inject({ url: `${V1}/lookup?address=a@b` });
      assert.deepEqual(error(v1), [
        400,
        { errcode: "M_MISSING_PARAMS", error: "Missing parameters: medium" },
      ]);
      const bulk = await app.inject({ method: "POST", url: `${V1}/bulk_lookup`, payload: {} });
      assert.deepEqual(error(bulk), [
        400,
        { errcode: "M_MISSING_PARAMS", error: "Missing parameters: threepids" },
      ]);
    });

    test("checks run in Sydent's order: list, algorithm, size, pepper, entries", async () => {
      const tooMany = Array.from({ length: 10_001 }, () => "a b");
      const notList = [400, { errcode: "M_INVALID_PARAM", error: "addresses must be a list" }];
      const badAlgorithm = [400, { errcode: "M_INVALID_PARAM", error: "algorithm is not supported" }];
      const tooLarge = [
        400,
        { errcode: "M_TOO_LARGE", error: "More than the maximum amount of addresses provided" },
      ];
      for (const addresses of ["a b", { a: "b" }, null, 3]) {
        assert.deepEqual(error(await lookup({ addresses, algorithm: "md5", pepper: "x" })), notList);
      }
      for (const algorithm of ["md5", "SHA256", "", 256, null, ["sha256"]]) {
        assert.deepEqual(error(await lookup({ algorithm, addresses: tooMany, pepper: "x" })), badAlgorithm);
      }
      for (const algorithm of ["sha256", "none"]) {
        assert.deepEqual(error(await lookup({ algorithm, addresses: tooMany, pepper: "x" })), tooLarge);
      }
      const pepper = (algorithm: string) => [
        400,
        {
          errcode: "M_INVALID_PEPPER",
          error: `pepper does not match '${deps.pepper}'`,
          algorithm,
          lookup_pepper: deps.pepper,
        },
      ];
      for (const wrong of ["x", deps.pepper.toLowerCase() + "!", "", null, 12345]) {
        assert.deepEqual(error(await lookup({ pepper: wrong, addresses: ["a b c"] })), pepper("sha256"));
        assert.deepEqual(
          error(await lookup({ pepper: wrong, addresses: ["a"], algorithm: "none" })),
          pepper("none"),
        );
      }
    });

    test("the batch limit: 10,000 entries pass, 10,001 do not; the setting is honoured, also by bulk", async () => {
      const limit = Array.from(
        { length: 10_000 },
        (_, i) => `${hash.slice(0, 38)}${String(i).padStart(5, "0")}`,
      );
      const ok = await lookup({ addresses: limit });
      assert.deepEqual([ok.statusCode, ok.json()], [200, { mappings: {} }]);
      const over = await lookup({ addresses: [...limit, hash] });
      assert.deepEqual([over.statusCode, over.json().errcode], [400, "M_TOO_LARGE"]);

      const app = buildApp(small);
      const four = ["a@x email", "b@x email", "c@x email", "d@x email"];
      const none = await v2Lookup(app, { addresses: four, algorithm: "none", pepper: small.pepper });
      assert.equal(none.json().errcode, "M_TOO_LARGE");
      const three = await v2Lookup(app, {
        addresses: four.slice(1),
        algorithm: "none",
        pepper: small.pepper,
      });
      assert.equal(three.statusCode, 200);
      const threepids = four.map((entry) => entry.split(" ").reverse());
      const bulk = await app.inject({ method: "POST", url: `${V1}/bulk_lookup`, payload: { threepids } });
      assert.deepEqual(error(bulk), [
        400,
        { errcode: "M_TOO_LARGE", error: "More than the maximum amount of addresses provided" },
      ]);
    });

    test('none: an entry that is not exactly "address medium" is a 400 naming it', async () => {
      const invalid = (shown: string) => [
        400,
        { errcode: "M_UNKNOWN", error: `Invalid "address medium" pair: "${shown}"` },
      ];
      for (const entry of ["a@x", "a@x email extra", "", "   ", "a@x\u00a0email\u00a0x", "a@x\ufeffemail"]) {
        const res = await lookup({ algorithm: "none", addresses: ["ok@x email", entry] });
        assert.deepEqual(error(res), invalid(entry), JSON.stringify(entry));
      }
      for (const entry of [42, null, ["a@x", "email"]]) {
        const res = await lookup({ algorithm: "none", addresses: ["ok@x email", entry] });
        assert.deepEqual(error(res), invalid(JSON.stringify(entry)));
      }
    });

    test("bulk: threepids must be a list of [medium, address] string pairs", async () => {
      const app = buildApp(deps);
      const bulk = (threepids: unknown) =>
        app.inject({ method: "POST", url: `${V1}/bulk_lookup`, payload: { threepids } as object });
      for (const threepids of ["email a@x", { email: "a@x" }, 7, null]) {
        assert.deepEqual(error(await bulk(threepids)), [
          400,
          { errcode: "M_INVALID_PARAM", error: "threepids must be a list" },
        ]);
      }
      const pairs = [
        400,
        { errcode: "M_INVALID_PARAM", error: "threepids must be a list of [medium, address] pairs" },
      ];
      for (const element of [
        ["email"],
        ["email", "a@x", "x"],
        ["email", 7],
        [null, "a@x"],
        "email a@x",
        { 0: "a" },
      ]) {
        assert.deepEqual(error(await bulk([["email", "ok@x"], element])), pairs, JSON.stringify(element));
      }
    });

    test("v1 lookups take their arguments from the query string, or a form body for bulk", async () => {
      const app = buildApp(deps);
      const form = await app.inject({
        method: "POST",
        url: `${V1}/bulk_lookup`,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        payload: "threepids=x",
      });
      assert.equal(form.json().error, "threepids must be a list");
      const v2Bulk = await app.inject({
        method: "POST",
        url: `${V2}/bulk_lookup`,
        payload: { threepids: [] },
      });
      assert.equal(v2Bulk.statusCode, 404);
      assert.equal((await app.inject({ url: `${V1}/hash_details` })).statusCode, 404);
    });

    test("with v1 access disabled, only the v2 lookups remain", async () => {
      const off = await testDeps({
        engine,
        auth: acceptTestToken,
        conf: { general: { enable_v1_access: false } },
      });
      try {
        const app = buildApp(off);
        assert.equal((await app.inject({ url: `${V1}/lookup?medium=email&address=a@x` })).statusCode, 404);
        const bulk = await app.inject({
          method: "POST",
          url: `${V1}/bulk_lookup`,
          payload: { threepids: [] },
        });
        assert.equal(bulk.statusCode, 404);
        assert.equal((await app.inject({ url: `${V2}/hash_details`, headers: bearer })).statusCode, 200);
      } finally {
        await off.cleanup();
      }
    });
  });
}
