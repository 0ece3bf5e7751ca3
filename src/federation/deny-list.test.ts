import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createIpDenyList, DEFAULT_BLACKLIST } from "./deny-list.js";

describe("IP deny-list", () => {
  const builtIn = createIpDenyList([], []);

  test("the built-in list blocks private, loopback, link-local, documentation and multicast ranges", () => {
    for (const address of [
      "127.0.0.1",
      "10.1.2.3",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.1.1",
      "100.64.0.1",
      "169.254.169.254",
      "192.0.2.1",
      "198.18.0.1",
      "224.0.0.1",
      "239.255.255.255",
      "::1",
      "fe80::1",
      "fc00::1",
      "fd12:3456::1",
      "2001:db8::1",
      "ff02::1",
      "fec0::1",
    ]) {
      assert.equal(builtIn.check(address).allowed, false, address);
    }
  });

  test("0.0.0.0/8 and :: are blocked too (Sydent's comment promises it, its code does not)", () => {
    assert.deepEqual(builtIn.check("0.0.0.0"), { allowed: false, blacklistedBy: "0.0.0.0/8" });
    assert.deepEqual(builtIn.check("::"), { allowed: false, blacklistedBy: "::/128" });
    assert.ok(DEFAULT_BLACKLIST.includes("0.0.0.0/8"));
  });

  test("public addresses pass", () => {
    for (const address of ["1.1.1.1", "8.8.8.8", "172.32.0.1", "2606:4700::1111", "192.0.3.1"]) {
      assert.deepEqual(builtIn.check(address), { allowed: true }, address);
    }
  });

  test("IPv4 ranges are also blocked in their IPv4-compatible, IPv4-mapped and 6to4 forms", () => {
    for (const address of [
      "::ffff:127.0.0.1",
      "::ffff:7f00:1",
      "::10.0.0.1",
      "2002:0a00:0001::1",
      "2002:c0a8:0101:5::",
    ]) {
      assert.equal(builtIn.check(address).allowed, false, address);
    }
    assert.equal(builtIn.check("::ffff:8.8.8.8").allowed, true);
    assert.equal(builtIn.check("2002:0808:0808::1").allowed, true);
    assert.deepEqual(builtIn.check("2002:7f00:2::"), { allowed: false, blacklistedBy: "127.0.0.0/8" });
  });

  test("Sydent's test_blacklisting: blacklist 5.0.0.0/8, whitelist 5.1.1.1", () => {
    const list = createIpDenyList(["5.0.0.0/8"], ["5.1.1.1/32"]);
    assert.deepEqual(list.check("5.6.7.8"), { allowed: false, blacklistedBy: "5.0.0.0/8" });
    assert.deepEqual(list.check("5.1.1.1"), {
      allowed: true,
      whitelistedBy: "5.1.1.1/32",
      blacklistedBy: "5.0.0.0/8",
    });
    assert.deepEqual(list.check("1.2.3.4"), { allowed: true });
    assert.equal(list.check("127.0.0.1").allowed, true, "a configured blacklist replaces the built-in one");
    assert.equal(list.check("::ffff:5.6.7.8").allowed, false);
    assert.equal(list.check("::ffff:5.1.1.1").allowed, true, "the whitelist covers the IPv6 forms too");
    assert.equal(list.check("2002:0501:0101::").allowed, true);
  });

  test("IPv6 whitelist entries", () => {
    const list = createIpDenyList([], ["::1/128"]);
    assert.equal(list.check("::1").allowed, true);
    assert.equal(list.check("127.0.0.1").allowed, false);
  });
});
