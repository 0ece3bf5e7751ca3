// The outbound HTTP an SMS provider needs: one POST, bounded in time, through a fetch-like function
// that is passed in (so the deployment can route it through the IP deny-list of §7.7). The default
// connects directly, giving up on a connection after 15 s as Sydent's client does.
import { SmsSendError } from "../types.js";

export interface HttpRequest {
  method: "POST";
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** The part of the WHATWG `fetch` the providers use; `globalThis.fetch` fits. */
export type HttpFetch = (url: string, init: HttpRequest) => Promise<HttpResponse>;

export const CONNECT_TIMEOUT_MS = 15_000;
export const TOTAL_TIMEOUT_MS = 30_000;

/** A direct fetch (no deny-list) with Sydent's 15 s connect timeout. undici loads on first use. */
export function directFetch(): HttpFetch {
  let client: Promise<HttpFetch> | undefined;
  const load = async (): Promise<HttpFetch> => {
    const { Agent, fetch } = await import("undici");
    const dispatcher = new Agent({ connect: { timeout: CONNECT_TIMEOUT_MS } });
    return (url, init) => fetch(url, { ...init, dispatcher });
  };
  return async (url, init) => (await (client ??= load()))(url, init);
}

export interface PostResult {
  status: number;
  headers: HttpResponse["headers"];
  body: string;
}

/** POSTs and reads the whole answer within `timeoutMs`; no answer at all is an SmsSendError. */
export async function post(
  fetch: HttpFetch,
  provider: string,
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<PostResult> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, { method: "POST", headers, body, signal });
    return { status: response.status, headers: response.headers, body: await response.text() };
  } catch (err) {
    const reason = signal.aborted ? `no answer within ${timeoutMs} ms` : describe(err);
    throw new SmsSendError(`${provider}: request to ${url} failed: ${reason}`, { cause: err });
  }
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : "";
  return `${err.message}${cause}`;
}

/** HTTP Basic credentials as Python builds them (UTF-8, base64). */
export const basicAuth = (user: string, password: string): string =>
  `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`;

/** The JSON object of a body, or null when it is not one. */
export function jsonObject(body: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** Provider text for an error message: the phone number replaced, at most 300 characters. */
export function providerText(value: unknown, msisdn: string): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.replaceAll(msisdn, "<number>").slice(0, 300);
}
