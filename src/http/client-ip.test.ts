// The client address with and without X-Forwarded-For, and with an explicit list of trusted proxies.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import Fastify from "fastify";
import { createClientIp, type ForwardedForConfig } from "./client-ip.js";

/** What the client address of one request from `peer` with these X-Forwarded-For lines is. */
async function addressOf(config: ForwardedForConfig, peer: string, lines: string[]): Promise<string | null> {
  const app = Fastify();
  const clientIp = createClientIp(config);
  app.get("/", async (req) => ({ ip: clientIp(req) }));
  // inject() takes one value per header name; the raw lines are what the code reads.
  const headers = lines.length > 0 ? { "x-forwarded-for": lines } : {};
  const res = await app.inject({ url: "/", remoteAddress: peer, headers });
  await app.close();
  return (res.json() as { ip: string | null }).ip;
}

const sydent = { obeyXForwardedFor: true, trustedProxies: [] };
const proxies = { obeyXForwardedFor: true, trustedProxies: ["10.0.0.0/8", "2001:db8::1/128"] };

describe("client address", () => {
  test("without obey_x_forwarded_for the header is ignored, even from a trusted proxy", async () => {
    const config = { obeyXForwardedFor: false, trustedProxies: ["10.0.0.0/8"] };
    assert.equal(await addressOf(config, "10.1.1.1", ["192.0.2.7"]), "10.1.1.1");
  });

  test("Sydent's way: any peer, the first header line verbatim", async () => {
    assert.equal(
      await addressOf(sydent, "198.51.100.1", ["192.0.2.1, 10.0.0.1", "192.0.2.9"]),
      "192.0.2.1, 10.0.0.1",
    );
    assert.equal(await addressOf(sydent, "198.51.100.1", []), "198.51.100.1");
  });

  test("with trusted proxies, a header from anyone else is ignored", async () => {
    assert.equal(await addressOf(proxies, "198.51.100.1", ["192.0.2.1"]), "198.51.100.1");
  });

  test("from a trusted proxy, the right-most address that is not a proxy, over every line", async () => {
    // The client claims 203.0.113.66; the outer proxy 10.2.2.2 saw 192.0.2.1 and the inner one saw 10.2.2.2.
    assert.equal(await addressOf(proxies, "10.1.1.1", ["203.0.113.66, 192.0.2.1", "10.2.2.2"]), "192.0.2.1");
    assert.equal(await addressOf(proxies, "10.1.1.1", [" 192.0.2.5 ,10.9.9.9 "]), "192.0.2.5");
  });

  test("IPv4 peers seen as IPv4-mapped IPv6 and IPv6 proxies match", async () => {
    assert.equal(await addressOf(proxies, "::ffff:10.1.1.1", ["192.0.2.1"]), "192.0.2.1");
    assert.equal(await addressOf(proxies, "2001:db8::1", ["2001:db8::2"]), "2001:db8::2");
    assert.equal(await addressOf(proxies, "2001:db8::3", ["192.0.2.1"]), "2001:db8::3");
  });

  test("a chain of proxies only: the left-most; no header: the proxy itself", async () => {
    assert.equal(await addressOf(proxies, "10.1.1.1", ["10.3.3.3, 10.2.2.2"]), "10.3.3.3");
    assert.equal(await addressOf(proxies, "10.1.1.1", []), "10.1.1.1");
  });

  test("a hop that is not an address counts as the client (the proxy wrote it)", async () => {
    assert.equal(await addressOf(proxies, "10.1.1.1", ["192.0.2.1, unknown"]), "unknown");
  });
});
