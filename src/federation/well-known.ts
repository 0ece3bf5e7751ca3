// `/.well-known/matrix/server` delegation, with Sydent's cache rules: a failure is remembered for
// 1 h + up to 10 min, a delegation for its Cache-Control max-age (at most 48 h), else until its
// Expires, else 24 h + up to 10 min; `no-store` is not remembered.
import type { Clock } from "../clock.js";
import type { Random } from "../crypto/random.js";
import { remember } from "./cache.js";
import type { DenyListFetch } from "./fetch.js";
import { isValidServerName } from "./server-name.js";
import { FederationError } from "./types.js";

export const WELL_KNOWN_MAX_BYTES = 50 * 1024;
const HOUR = 3600_000;
const FAILURE_CACHE_MS = HOUR;
const DEFAULT_CACHE_MS = 24 * HOUR;
const MAX_CACHE_MS = 48 * HOUR;
const JITTER_MS = 10 * 60_000;

export interface WellKnownResult {
  /** The delegated server name; null when the host delegates nothing (or not validly). */
  server: string | null;
  /** What was fetched (before any redirect), for `cairn doctor` and logs. */
  url: string;
  status?: number;
  body?: string;
  /** Why there is no delegation. */
  error?: string;
  /** From the cache rather than fetched now. */
  cached: boolean;
  /** How long the result is remembered (0: not at all). */
  cacheMs: number;
}

export interface WellKnownResolver {
  /** The delegation of `host` (a host name without port). Throws only the signal's reason. */
  lookup(host: string, signal?: AbortSignal): Promise<WellKnownResult>;
}

export interface WellKnownOptions {
  fetch: DenyListFetch;
  clock: Clock;
  random: Random;
  timeoutMs: number;
}

export function createWellKnownResolver(options: WellKnownOptions): WellKnownResolver {
  const cache = new Map<string, { result: WellKnownResult; expiresAt: number }>();
  const jitter = () => options.random.int(JITTER_MS);
  return {
    async lookup(host, signal) {
      const key = host.toLowerCase();
      const hit = cache.get(key);
      if (hit && hit.expiresAt > options.clock.now()) return { ...hit.result, cached: true };
      const result = await fetchWellKnown(options, key, signal, jitter);
      if (result.cacheMs > 0)
        remember(cache, key, { result, expiresAt: options.clock.now() + result.cacheMs });
      else cache.delete(key);
      return result;
    },
  };
}

async function fetchWellKnown(
  options: WellKnownOptions,
  host: string,
  signal: AbortSignal | undefined,
  jitter: () => number,
): Promise<WellKnownResult> {
  const url = `https://${host}/.well-known/matrix/server`;
  const failed = (error: string, status?: number, body?: string): WellKnownResult => ({
    server: null,
    url,
    status,
    body,
    error,
    cached: false,
    cacheMs: FAILURE_CACHE_MS + jitter(),
  });
  let response;
  try {
    response = await options.fetch(url, {
      maxBytes: WELL_KNOWN_MAX_BYTES,
      timeoutMs: options.timeoutMs,
      followRedirects: true,
      signal,
    });
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    if (err instanceof FederationError) return failed(err.message);
    throw err;
  }
  const body = response.body.toString("utf8");
  if (response.status !== 200)
    return failed(`${response.url} answered HTTP ${response.status}`, response.status, body);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return failed(`${response.url} did not return JSON`, response.status, body);
  }
  const server =
    typeof parsed === "object" && parsed !== null
      ? (parsed as Record<string, unknown>)["m.server"]
      : undefined;
  if (typeof server !== "string") {
    return failed(`${response.url} has no "m.server" string`, response.status, body);
  }
  if (!isValidServerName(server)) {
    return failed(
      `${response.url} delegates to ${JSON.stringify(server)}, which is not a server name`,
      response.status,
      body,
    );
  }
  const period = cachePeriodMs(response.headers, options.clock.now());
  return {
    server,
    url,
    status: response.status,
    body,
    cached: false,
    cacheMs: period === null ? DEFAULT_CACHE_MS + jitter() : Math.max(0, Math.min(period, MAX_CACHE_MS)),
  };
}

/** What the reply's headers say about caching it: ms, or null when they say nothing. */
export function cachePeriodMs(
  headers: Record<string, string | string[] | undefined>,
  now: number,
): number | null {
  const directives = new Map<string, string | undefined>();
  for (const part of headerValues(headers["cache-control"]).join(",").split(",")) {
    const [name = "", value] = part.trim().split("=", 2);
    if (name !== "") directives.set(name.toLowerCase(), value?.replace(/^"|"$/g, ""));
  }
  if (directives.has("no-store")) return 0;
  const maxAge = directives.get("max-age");
  if (maxAge !== undefined && /^\d+$/.test(maxAge)) return Number(maxAge) * 1000;
  const expires = headerValues(headers.expires).at(-1);
  if (expires === undefined) return null;
  const at = parseHttpDate(expires);
  return Number.isNaN(at) ? 0 : at - now;
}

// The three date forms HTTP allows (RFC 9110 §5.6.7); Date.parse alone reads "0" as the year 2000.
const HTTP_DATES = [
  /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/,
  /^[A-Z][a-z]+, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/,
  /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/,
];

function parseHttpDate(text: string): number {
  const trimmed = text.trim();
  if (!HTTP_DATES.some((form) => form.test(trimmed))) return Number.NaN;
  return Date.parse(trimmed.endsWith("GMT") ? trimmed : `${trimmed} GMT`);
}

const headerValues = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
