import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { cachePeriodMs } from "./well-known.js";

describe(".well-known cache period from the reply headers", () => {
  const now = Date.parse("2026-12-04T12:00:00Z");

  test("no-store wins, then max-age, then Expires; nothing says null (the 24 h default)", () => {
    assert.equal(cachePeriodMs({ "cache-control": "max-age=60, no-store" }, now), 0);
    assert.equal(cachePeriodMs({ "cache-control": "public, max-age=3600" }, now), 3600_000);
    assert.equal(
      cachePeriodMs({ "cache-control": "Max-Age=5", expires: "Fri, 04 Dec 2026 13:00:00 GMT" }, now),
      5000,
    );
    assert.equal(cachePeriodMs({ expires: "Fri, 04 Dec 2026 13:00:00 GMT" }, now), 3600_000);
    assert.equal(cachePeriodMs({}, now), null);
    assert.equal(cachePeriodMs({ "cache-control": "public" }, now), null);
  });

  test("an unusable max-age falls through to Expires; an unparseable Expires means already expired", () => {
    assert.equal(
      cachePeriodMs({ "cache-control": "max-age=soon", expires: "Fri, 04 Dec 2026 12:01:00 GMT" }, now),
      60_000,
    );
    assert.equal(cachePeriodMs({ expires: "0" }, now), 0);
    assert.equal(cachePeriodMs({ expires: "tomorrow" }, now), 0);
    assert.equal(cachePeriodMs({ expires: "Friday, 04-Dec-26 13:00:00 GMT" }, now), 3600_000);
    assert.equal(cachePeriodMs({ expires: "Fri Dec  4 13:00:00 2026" }, now), 3600_000);
    assert.ok((cachePeriodMs({ expires: "Thu, 01 Jan 1970 00:00:00 GMT" }, now) ?? 0) < 0);
  });
});
