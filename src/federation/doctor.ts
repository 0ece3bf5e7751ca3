// `cairn doctor <server name>`: walks server discovery step by step with the configuration's
// TLS and deny-list rules, saying in plain words what it found, where it failed and what to
// check. It never connects to an address the deny-list forbids.
import { isIP, Socket } from "node:net";
import type { PeerCertificate, SecureContextOptions } from "node:tls";
import { checkServerIdentity, connect as tlsConnect } from "node:tls";
import type { Clock } from "../clock.js";
import type { Random } from "../crypto/random.js";
import { createFederationClient } from "./client.js";
import { hostPort, seconds, untrustedReason, vetAddresses } from "./connect.js";
import { createIpDenyList, DEFAULT_BLACKLIST } from "./deny-list.js";
import type { Resolver } from "./dns.js";
import type { ResolveStep, Target } from "./resolve.js";
import { FederationError } from "./types.js";
import type { FederationFailure } from "./types.js";
import { KEY_PATH } from "./xmatrix.js";

export interface DoctorOptions {
  resolver: Resolver;
  /** `ip.blacklist` and `ip.whitelist` as configured (CIDR text). */
  blacklist: readonly string[];
  whitelist: readonly string[];
  verifyCerts: boolean;
  clock: Clock;
  random: Random;
  ca?: SecureContextOptions["ca"];
  federationPort?: number;
  httpsPort?: number;
  /** Per network step. Default 10 s. */
  timeoutMs?: number;
  write: (line: string) => void;
}

const ADVICE: Record<FederationFailure, string> = {
  invalid_server_name:
    "A server name is a host name or IP address with an optional port, e.g. example.org or matrix.example.org:8448.",
  dns: "Check the host's DNS records (A/AAAA, and SRV if you use them) and that this machine can resolve names (/etc/resolv.conf).",
  blocked:
    "Cairn's IP deny-list (ip.blacklist / ip.whitelist in sydent.conf) forbids this address, so Cairn never connects to the host. If the homeserver really is on a private network, add its address to ip.whitelist.",
  connect:
    "Nothing accepted the connection: check that the homeserver's federation listener runs on that port, and the firewall, port forwarding and reverse proxy in front of it.",
  timeout: "No answer in time: a firewall may be dropping the packets, or the server is overloaded.",
  tls: "Serve a certificate from a public CA (e.g. Let's Encrypt) with its intermediate certificates, or (not recommended) set federation.verifycerts = false.",
  too_large:
    "The reply was far larger than a homeserver's: check that a reverse proxy forwards /_matrix/ to the homeserver.",
  protocol:
    "Something answered, but not like a homeserver's federation API: check that the port serves HTTPS (not plain HTTP) and that /_matrix/ reaches the homeserver.",
};

export async function runDoctor(serverName: string, options: DoctorOptions): Promise<boolean> {
  const say = options.write;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const denyList = createIpDenyList(options.blacklist, options.whitelist);
  const client = createFederationClient({
    resolver: options.resolver,
    denyList,
    verifyCerts: options.verifyCerts,
    clock: options.clock,
    random: options.random,
    ca: options.ca,
    federationPort: options.federationPort,
    httpsPort: options.httpsPort,
    timeoutMs,
    connectTimeoutMs: timeoutMs,
    wellKnownTimeoutMs: timeoutMs,
  });
  const fail = (err: unknown): false => {
    if (!(err instanceof FederationError)) throw err;
    say(`   FAILED: ${err.message}`);
    say(`   What to check: ${ADVICE[err.kind]}`);
    say("");
    say(`Result: Cairn cannot reach ${serverName}.`);
    return false;
  };
  say(`Checking how Cairn reaches the homeserver "${serverName}".`);
  say(
    `Settings: federation.verifycerts = ${options.verifyCerts ? "true" : "false"}; ip.blacklist = ${
      options.blacklist.length > 0
        ? options.blacklist.join(", ")
        : `(built-in: ${DEFAULT_BLACKLIST.length} private and reserved ranges)`
    }; ip.whitelist = ${options.whitelist.length > 0 ? options.whitelist.join(", ") : "(empty)"}.`,
  );
  try {
    say("");
    say("1. Finding the server");
    let target: Target;
    try {
      target = await client.discovery.resolve(serverName, { trace: (step) => describeStep(step, say) });
    } catch (err) {
      return fail(err);
    }
    const sni = target.sni === null ? "no TLS server name (IP address)" : `TLS server name ${target.sni}`;
    say(
      `   => Cairn connects to ${hostPort(target.host, target.port)} with Host: ${target.hostHeader} and ${sni}.`,
    );

    say("");
    say(`2. Addresses of ${target.host}`);
    let addresses: string[];
    try {
      addresses = await describeAddresses(target.host, options.resolver, denyList, say);
    } catch (err) {
      return fail(err);
    }

    say("");
    say("3. Connection and certificate");
    const probe = await probeTls(target, addresses[0] ?? target.host, options, timeoutMs, say);
    if (probe instanceof FederationError) return fail(probe);

    say("");
    say("4. Federation API (as Cairn makes its requests)");
    let answered = false;
    for (const path of ["/_matrix/federation/v1/version", KEY_PATH]) {
      try {
        const reply = await client.request(serverName, { method: "GET", path, maxBytes: 64 * 1024 });
        say(
          `   GET ${path}: HTTP ${reply.status} ${summarise(path, reply.body.toString("utf8"), options.clock)}`,
        );
        answered ||= reply.status === 200;
      } catch (err) {
        return fail(err);
      }
    }
    say("");
    if (!answered) {
      say(
        "   What to check: the server answers HTTPS but not the federation API; check that /_matrix/ reaches the homeserver.",
      );
      say(`Result: ${serverName} answers, but not as a homeserver.`);
      return false;
    }
    say(`Result: ${serverName} is reachable.`);
    return true;
  } finally {
    await client.close();
  }
}

function describeStep(step: ResolveStep, say: (line: string) => void): void {
  switch (step.step) {
    case "ip_literal":
      say(
        `   ${step.serverName} is an IP address: no delegation or SRV lookup; port ${step.port}${step.defaultPort ? " (the default)" : ""}.`,
      );
      return;
    case "explicit_port":
      say(`   ${step.serverName} names its port (${step.port}): no delegation or SRV lookup.`);
      return;
    case "well_known": {
      const r = step.result;
      say(`   Delegation: fetched ${r.url}${r.status === undefined ? "" : `: HTTP ${r.status}`}`);
      if (r.body !== undefined) say(`     body: ${clip(r.body)}`);
      if (r.server !== null) say(`     => delegates to ${r.server}`);
      else {
        say(`     => no delegation (${r.error ?? "no m.server"}); Cairn remembers this for about 1 hour.`);
        say(
          `     That is fine if the homeserver itself answers for ${step.host} (SRV records or port 8448).`,
        );
        say(
          `     To delegate, serve {"m.server": "<host>[:<port>]"} there with HTTP 200 and a certificate valid for ${step.host}.`,
        );
      }
      return;
    }
    case "srv":
      if (step.lookup.records.length === 0) say(`   SRV ${step.name}: none`);
      for (const r of step.lookup.records) {
        const mark = r === step.chosen ? " <= chosen" : "";
        say(`   SRV ${step.name}: ${r.name}:${r.port} (priority ${r.priority}, weight ${r.weight})${mark}`);
      }
      return;
    case "default_port":
      say(`   No delegation and no SRV records: ${step.host} on the federation port ${step.port}.`);
      return;
  }
}

async function describeAddresses(
  host: string,
  resolver: Resolver,
  denyList: ReturnType<typeof createIpDenyList>,
  say: (line: string) => void,
): Promise<string[]> {
  let addresses: string[] = [host];
  if (isIP(host) === 0) {
    try {
      addresses = await resolver.lookup(host);
    } catch {
      addresses = [];
    }
  }
  for (const address of addresses) {
    const v = denyList.check(address);
    if (!v.allowed) say(`   ${address}: BLOCKED by the deny-list entry ${v.blacklistedBy}`);
    else if (v.whitelistedBy)
      say(`   ${address}: allowed by ip.whitelist ${v.whitelistedBy} (it is in ${v.blacklistedBy})`);
    else say(`   ${address}: allowed`);
  }
  return vetAddresses(host, resolver, denyList);
}

/** TCP then TLS to the target at `ip` (its first vetted address), reporting the certificate; null on success. */
async function probeTls(
  target: Target,
  ip: string,
  options: DoctorOptions,
  timeoutMs: number,
  say: (line: string) => void,
): Promise<FederationError | null> {
  const where = hostPort(ip, target.port);
  const socket = new Socket();
  const connected = await new Promise<Error | null>((resolve) => {
    const timer = setTimeout(() => resolve(new Error(`timed out after ${seconds(timeoutMs)}`)), timeoutMs);
    socket.once("error", (err) => (clearTimeout(timer), resolve(err)));
    socket.once("connect", () => (clearTimeout(timer), resolve(null)));
    socket.connect({ host: ip, port: target.port });
  });
  if (connected) {
    socket.destroy();
    const timedOut = connected.message.startsWith("timed out");
    return new FederationError(
      timedOut ? "timeout" : "connect",
      `TCP connection to ${where}: ${(connected as NodeJS.ErrnoException).code ?? connected.message}`,
    );
  }
  say(`   TCP: connected to ${where}.`);
  // Only the chain is judged here; the name is reported apart (Cairn does not require it).
  const tls = tlsConnect({
    socket,
    servername: target.sni ?? undefined,
    ca: options.ca,
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
  });
  const handshake = await new Promise<Error | null>((resolve) => {
    const timer = setTimeout(() => resolve(new Error(`timed out after ${seconds(timeoutMs)}`)), timeoutMs);
    tls.once("error", (err) => (clearTimeout(timer), resolve(err)));
    tls.once("secureConnect", () => (clearTimeout(timer), resolve(null)));
  });
  try {
    if (handshake)
      return new FederationError("tls", `TLS handshake with ${where} failed (${handshake.message})`);
    const cert = tls.getPeerCertificate();
    say(`   Certificate: subject ${dn(cert.subject)}; issuer ${dn(cert.issuer)}`);
    say(`     valid ${cert.valid_from} to ${cert.valid_to}; names: ${cert.subjectaltname ?? "(none)"}`);
    const nameOk = checkServerIdentity(target.sni ?? target.host, cert) === undefined;
    say(
      `     matches ${target.sni ?? target.host}: ${nameOk ? "yes" : "no"} (Cairn, like Sydent, does not require it; homeservers do)`,
    );
    const reason = tls.authorizationError
      ? untrustedReason(
          String((tls.authorizationError as Error & { code?: string }).code ?? tls.authorizationError),
        )
      : null;
    say(`     trusted: ${reason === null ? "yes" : `no (${reason})`}`);
    if (reason !== null && options.verifyCerts) {
      return new FederationError(
        "tls",
        `Cairn refuses this certificate (federation.verifycerts = true): ${reason}`,
      );
    }
    if (reason !== null) say("     Cairn accepts it anyway: federation.verifycerts = false.");
    return null;
  } finally {
    tls.destroy();
  }
}

function summarise(path: string, body: string, clock: Clock): string {
  try {
    const json = JSON.parse(body) as Record<string, unknown>;
    if (path === KEY_PATH && typeof json.verify_keys === "object" && json.verify_keys !== null) {
      const until = typeof json.valid_until_ts === "number" ? json.valid_until_ts : null;
      const validity =
        until === null
          ? "no valid_until_ts"
          : until > clock.now()
            ? `valid until ${new Date(until).toISOString()}`
            : `EXPIRED at ${new Date(until).toISOString()}`;
      return `keys ${Object.keys(json.verify_keys).join(", ") || "(none)"}; ${validity}`;
    }
  } catch {
    // Not JSON: shown as text below.
  }
  return clip(body);
}

const clip = (text: string): string => {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
};

function dn(name: PeerCertificate["subject"] | undefined): string {
  if (!name) return "(none)";
  return Object.entries(name)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join("+") : String(v)}`)
    .join(", ");
}
