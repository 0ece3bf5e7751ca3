// Where a request's arguments come from, following Sydent's rules (behaviour §0.4):
// - POST/PUT: the body is JSON on every non-v1 path, and on v1 paths when the Content-Type starts
//   with application/json; a JSON `null` counts as "nothing parsed";
// - otherwise, on v1 paths and on GET: the query string, merged with a form-encoded body;
// - otherwise nothing.
import { badJson } from "../errors.js";
import { parseQuery, rawQuery } from "./query.js";

export const V1_PREFIX = "/_matrix/identity/api/v1";

export type Args = Record<string, unknown>;

const utf8 = new TextDecoder("utf-8", { fatal: true });

function isObject(value: unknown): value is Args {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parses a JSON request body; `M_BAD_JSON` for bad UTF-8, bad JSON or an empty body. */
export function parseJsonBody(body: Buffer | undefined): unknown {
  let text: string;
  try {
    text = utf8.decode(body ?? Buffer.alloc(0));
  } catch {
    throw badJson();
  }
  try {
    return JSON.parse(text);
  } catch {
    throw badJson();
  }
}

export interface ArgsRequest {
  method: string;
  /** The raw request target: path and query as received. */
  url: string;
  contentType: string | undefined;
  body: Buffer | undefined;
}

/**
 * The argument map of a request. `alwaysJson` makes the body JSON whatever the path and
 * Content-Type (Sydent's unbind handler reads it that way on v1 too).
 */
export function extractArgs(req: ArgsRequest, alwaysJson = false): Args {
  const v1 = req.url.startsWith(V1_PREFIX);
  const contentType = (req.contentType ?? "").toLowerCase();
  const post = req.method === "POST" || req.method === "PUT";
  if (post && (alwaysJson || !v1 || contentType.startsWith("application/json"))) {
    const parsed = parseJsonBody(req.body);
    if (parsed !== null) {
      // NOTSPEC: Sydent goes on with a list or string and fails later; the spec requires an object.
      if (!isObject(parsed)) throw badJson("Request body must be a JSON object");
      return parsed;
    }
  }
  if (v1 || !post) {
    const query = rawQuery(req.url);
    const form =
      post && contentType.startsWith("application/x-www-form-urlencoded") && req.body
        ? req.body.toString("latin1")
        : "";
    // Query and form fields form one map, as in Twisted; a name present in both counts as repeated.
    return parseQuery([query, form].filter((s) => s !== "").join("&"));
  }
  return {};
}
