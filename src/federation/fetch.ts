// Plain HTTP(S) requests through the IP deny-list, with full TLS verification: the .well-known
// fetch of server discovery, and SMS providers. Every connection (redirect targets included) is
// opened by connect.ts, so no request reaches a deny-listed address.
import type { SecureContextOptions } from "node:tls";
import { Agent } from "undici";
import { checkedConnector, hostPort } from "./connect.js";
import type { IpDenyList } from "./deny-list.js";
import type { Resolver } from "./dns.js";
import { deadline, exchange } from "./http.js";
import type { FederationResponse } from "./types.js";
import { FederationError } from "./types.js";

export interface DenyListFetchOptions {
  resolver: Resolver;
  denyList: IpDenyList;
  /** Trusted roots instead of Node's bundled ones. */
  ca?: SecureContextOptions["ca"];
  connectTimeoutMs?: number;
  /** Default for each call's whole exchange, redirects included. */
  timeoutMs?: number;
  /** Default cap on a reply body, in bytes. */
  maxBytes?: number;
  /** The port of https: URLs that name none: 443 (tests use another). */
  httpsPort?: number;
}

export interface FetchInit {
  method?: "GET" | "POST" | "PUT";
  headers?: Record<string, string>;
  body?: string;
  maxBytes?: number;
  timeoutMs?: number;
  /** Follow 301/302/303/307/308 for a GET, at most 5 times, never from https: to http:. */
  followRedirects?: boolean;
  /** Ends the exchange early (its reason is thrown). */
  signal?: AbortSignal;
}

export interface FetchResponse extends FederationResponse {
  /** The URL that answered, after redirects. */
  url: string;
}

export interface DenyListFetch {
  (url: string, init?: FetchInit): Promise<FetchResponse>;
  /** Closes the idle connections; pending requests finish first. */
  close(): Promise<void>;
}

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export function createDenyListFetch(options: DenyListFetchOptions): DenyListFetch {
  const connected = new Map<string, string>();
  const agent = new Agent({
    connect: checkedConnector(
      {
        resolver: options.resolver,
        denyList: options.denyList,
        verify: "full",
        ca: options.ca,
        connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      },
      (origin, address) => connected.set(origin, address),
    ),
    connections: 5,
    keepAliveTimeout: 60_000,
    keepAliveMaxTimeout: 120_000,
  });

  async function fetchUrl(input: string, init: FetchInit = {}): Promise<FetchResponse> {
    let url = withPort(new URL(input), options.httpsPort);
    const timeoutMs = init.timeoutMs ?? options.timeoutMs ?? 30_000;
    const peer = () => {
      const origin = `${url.protocol}//${hostPort(url.hostname.replace(/^\[|\]$/g, ""), portOf(url))}`;
      const address = connected.get(origin);
      return address && address !== url.host ? `${url.host} (${address})` : url.host;
    };
    const timer = deadline(timeoutMs, () => `waiting for ${peer()}`);
    const signal = init.signal ? AbortSignal.any([timer.signal, init.signal]) : timer.signal;
    try {
      for (let hops = 0; ; hops++) {
        if (url.protocol !== "https:" && url.protocol !== "http:") {
          throw new FederationError("protocol", `cannot fetch ${url.href}: only http: and https: URLs`);
        }
        const response = await exchange(agent, {
          origin: url.origin,
          method: init.method ?? "GET",
          path: url.pathname + url.search,
          headers: init.headers ?? {},
          body: init.body,
          maxBytes: init.maxBytes ?? options.maxBytes ?? 1024 * 1024,
          signal,
          peer,
        });
        const location = response.headers.location;
        if (!init.followRedirects || (init.method ?? "GET") !== "GET" || !REDIRECTS.has(response.status)) {
          return { ...response, url: url.href };
        }
        if (typeof location !== "string") return { ...response, url: url.href };
        if (hops === MAX_REDIRECTS) {
          throw new FederationError(
            "protocol",
            `more than ${MAX_REDIRECTS} redirects, the last from ${url.href}`,
          );
        }
        const next = withPort(new URL(location, url), options.httpsPort);
        if (url.protocol === "https:" && next.protocol !== "https:") {
          throw new FederationError("protocol", `${url.href} redirects to ${next.href}, which is not https:`);
        }
        url = next;
      }
    } finally {
      timer.clear();
    }
  }

  return Object.assign(fetchUrl, { close: () => agent.close() });
}

function withPort(url: URL, httpsPort: number | undefined): URL {
  if (url.protocol === "https:" && url.port === "" && httpsPort !== undefined) url.port = String(httpsPort);
  return url;
}

const portOf = (url: URL): number => Number(url.port) || (url.protocol === "https:" ? 443 : 80);

/** The request and reply of WHATWG fetch that code written against `fetch` uses. */
export interface FetchLikeInit {
  method: "GET" | "POST" | "PUT";
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

export interface FetchLikeResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** The deny-list fetch in the shape of `fetch` (for the SMS providers' HttpFetch). */
export function fetchLike(
  fetch: DenyListFetch,
): (url: string, init: FetchLikeInit) => Promise<FetchLikeResponse> {
  return async (url, init) => {
    const reply = await fetch(url, {
      method: init.method,
      headers: init.headers,
      body: init.body,
      signal: init.signal,
    });
    return {
      status: reply.status,
      headers: {
        get(name) {
          const value = reply.headers[name.toLowerCase()];
          return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
        },
      },
      text: async () => reply.body.toString("utf8"),
    };
  };
}
