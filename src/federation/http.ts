// One HTTP exchange over an undici dispatcher whose connections were opened by connect.ts: the
// reply body is read up to a cap (the connection is dropped as soon as it is exceeded), the whole
// exchange ends at a deadline, and undici's errors become FederationErrors.
import type { Dispatcher } from "undici";
import { seconds } from "./connect.js";
import type { FederationResponse } from "./types.js";
import { FederationError } from "./types.js";

export interface Deadline {
  signal: AbortSignal;
  /** Stops the timer; call when the exchange is over. */
  clear(): void;
}

/**
 * Aborts after `ms` with a `timeout` FederationError; `doing()` says, at that moment, what was
 * being waited for (e.g. "waiting for example.org (1.2.3.4:8448)").
 */
export function deadline(ms: number, doing: () => string): Deadline {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new FederationError("timeout", `timed out after ${seconds(ms)} ${doing()}`)),
    ms,
  );
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

/** `promise`, or the signal's reason if it aborts first (for steps that cannot be cancelled). */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(err as Error);
      },
    );
  });
}

export interface Exchange {
  origin: string;
  method: "GET" | "POST" | "PUT";
  path: string;
  headers: Record<string, string>;
  body?: string;
  maxBytes: number;
  signal: AbortSignal;
  /** Who is being talked to, for messages: "example.org (1.2.3.4:8448)". */
  peer: () => string;
}

export async function exchange(dispatcher: Dispatcher, ex: Exchange): Promise<FederationResponse> {
  let response: Dispatcher.ResponseData;
  try {
    response = await dispatcher.request({
      origin: ex.origin,
      method: ex.method,
      path: ex.path,
      headers: ex.headers,
      body: ex.body,
      signal: ex.signal,
    });
  } catch (err) {
    throw asFederationError(err, ex);
  }
  const { statusCode, headers, body } = response;
  const tooLarge = () =>
    new FederationError(
      "too_large",
      `the reply of ${ex.peer()} to ${ex.method} ${pathOnly(ex.path)} is larger than ${ex.maxBytes} bytes`,
    );
  const declared = Number(headers["content-length"]);
  if (Number.isFinite(declared) && declared > ex.maxBytes) {
    body.destroy();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += (chunk as Buffer).length;
      if (size > ex.maxBytes) {
        body.destroy();
        throw tooLarge();
      }
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    throw asFederationError(err, ex);
  }
  return { status: statusCode, headers, body: Buffer.concat(chunks) };
}

/** The path without its query string, which may hold an access token. */
export const pathOnly = (path: string): string => path.split("?")[0] ?? path;

function asFederationError(err: unknown, ex: Exchange): FederationError {
  if (err instanceof FederationError) return err;
  if (ex.signal.aborted && ex.signal.reason instanceof FederationError) return ex.signal.reason;
  const code = (err as { code?: string }).code ?? "";
  const message = err instanceof Error ? err.message : String(err);
  if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") {
    return new FederationError("timeout", `timed out waiting for ${ex.peer()}`);
  }
  if (code.startsWith("HPE_")) {
    return new FederationError("protocol", `${ex.peer()} did not answer with valid HTTP (${message})`);
  }
  return new FederationError(
    "protocol",
    `${ex.peer()} closed the connection without a complete reply (${message})`,
  );
}
