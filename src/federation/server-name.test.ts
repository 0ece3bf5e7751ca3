import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isValidServerName } from "./resolve.js";
import { ipLiteral, parseServerName } from "./server-name.js";

describe("isValidServerName", () => {
  // Sydent's tests/test_util.py, every example.
  const valid = [
    "9.9.9.9",
    "9.9.9.9:4242",
    "[::]",
    "[::]:4242",
    "[a:b:c::]:4242",
    "example.com",
    "EXAMPLE.COM",
    "ExAmPlE.CoM",
    "example.com:4242",
    "localhost",
    "localhost:9000",
    "a.b.c.d:1234",
  ];
  const invalid = [
    "[:::]",
    "a:b:c::",
    "example.com:65536",
    "example.com:0",
    "example.com:-1",
    "example.com:a",
    "example.com: ",
    "example.com:04242",
    "example.com: 4242",
    "example.com/example.com",
    "example.com#example.com",
  ];
  for (const name of valid) test(`valid: ${name}`, () => assert.equal(isValidServerName(name), true));
  for (const name of invalid) test(`invalid: ${name}`, () => assert.equal(isValidServerName(name), false));

  test("the edges Sydent's tests leave out", () => {
    assert.equal(isValidServerName("example.com:65535"), true);
    assert.equal(isValidServerName("example.com:1"), true);
    assert.equal(isValidServerName(`${"a".repeat(63)}.com`), true);
    assert.equal(isValidServerName(`${"a".repeat(64)}.com`), false);
    assert.equal(isValidServerName("-example.com"), false);
    assert.equal(isValidServerName("example-.com"), false);
    assert.equal(isValidServerName("ex-ample.com"), true);
    assert.equal(isValidServerName("999.1.1.1"), true, "not an address, but a well-formed host name");
    assert.equal(isValidServerName(""), false);
    assert.equal(isValidServerName("example.com."), false);
    assert.equal(isValidServerName("exämple.com"), false);
    assert.equal(isValidServerName("[::1]:"), false);
    assert.equal(isValidServerName("::1"), false);
  });

  test("a trailing newline is refused (Sydent's regex lets it through)", () => {
    assert.equal(isValidServerName("example.com\n"), false);
    assert.equal(isValidServerName("example.com:8448\n"), false);
    assert.equal(isValidServerName("1.2.3.4\n"), false);
  });

  test("an empty port is refused (Sydent reads example.com: as example.com)", () => {
    assert.equal(isValidServerName("example.com:"), false);
  });
});

describe("parseServerName and ipLiteral", () => {
  test("splits host and port; IP literals lose their brackets", () => {
    assert.deepEqual(parseServerName("example.com:8449"), { host: "example.com", port: 8449 });
    assert.deepEqual(parseServerName("[::1]"), { host: "[::1]", port: null });
    assert.deepEqual(parseServerName("[::1]:99"), { host: "[::1]", port: 99 });
    assert.equal(parseServerName("a:b"), null);
    assert.equal(ipLiteral("[::1]"), "::1");
    assert.equal(ipLiteral("10.0.0.1"), "10.0.0.1");
    assert.equal(ipLiteral("example.com"), null);
    assert.equal(ipLiteral("999.1.1.1"), null);
  });
});
