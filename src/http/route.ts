// Declaring a route: its paths (v1 and/or v2 twins), an argument schema, the v2 authentication it
// needs and a handler that receives validated arguments. Arguments are read by Sydent's rules
// (args.ts), then checked against the schema; a failed check becomes a Matrix error here so that no
// handler sees unvalidated input.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Static, TSchema } from "typebox";
import { Compile } from "typebox/compile";
import { MatrixError, missingParams } from "../errors.js";
import { extractArgs, V1_PREFIX, type Args } from "./args.js";
import type { Authenticator } from "./auth.js";
import { hasBearer, tokenFromRequest } from "./auth.js";

export const V2_PREFIX = "/_matrix/identity/v2";

export type ApiVersion = "v1" | "v2";

export interface RouteContext<A> {
  args: A;
  req: FastifyRequest;
  reply: FastifyReply;
  /** Which API tree the request came in on; `null` for paths outside both. */
  version: ApiVersion | null;
  /** The authenticated user, on v2 routes that authenticate. */
  userId: string | null;
}

export type BeforeContext = Omit<RouteContext<never>, "args">;

export interface RouteSpec<S extends TSchema> {
  method: "GET" | "POST";
  /** With `versions`, the path below each version prefix; without, the absolute path. */
  path: string;
  versions?: readonly ApiVersion[];
  args: S;
  /** v2 only: `"terms"` = bearer token and signed terms, `"token"` = bearer token only. */
  auth?: "terms" | "token";
  /** Read the body as JSON whatever the path and Content-Type. */
  alwaysJson?: boolean;
  /**
   * Runs after authentication and before the arguments are checked (Sydent counts rate limits
   * there, so malformed requests count too). Unreadable arguments (bad JSON) are reported after
   * it, unless the access token had to be read from them.
   */
  before?: (ctx: BeforeContext) => Promise<void>;
  handler: (ctx: RouteContext<Static<S>>) => Promise<unknown> | unknown;
}

export interface RouterEnv {
  enableV1: boolean;
  auth: Authenticator;
}

/** A property's own message for a type mismatch, e.g. `Type.Array(..., {errorMessage: "threepids must be a list"})`. */
function invalidMessage(schema: TSchema, property: string): string {
  const props = (schema as { properties?: Record<string, { errorMessage?: unknown }> }).properties;
  const own = props?.[property]?.errorMessage;
  return typeof own === "string" ? own : `Invalid parameter: ${property}`;
}

function validator<S extends TSchema>(schema: S): (args: Args) => Static<S> {
  const compiled = Compile(schema);
  const required = ((schema as { required?: string[] }).required ?? []).slice();
  return (args) => {
    const missing = required.filter((name) => args[name] === undefined);
    if (missing.length > 0) throw missingParams(missing);
    if (compiled.Check(args)) return args as Static<S>;
    const first = compiled.Errors(args)[0];
    const property = first?.instancePath.split("/")[1] ?? "";
    throw new MatrixError("M_INVALID_PARAM", invalidMessage(schema, property));
  };
}

export function urlsOf(
  spec: { path: string; versions?: readonly ApiVersion[] },
  enableV1: boolean,
): string[] {
  if (!spec.versions) return [spec.path];
  return spec.versions
    .filter((v) => v === "v2" || enableV1)
    .map((v) => (v === "v1" ? V1_PREFIX : V2_PREFIX) + spec.path);
}

export function createRouter(app: FastifyInstance, env: RouterEnv) {
  return function route<S extends TSchema>(spec: RouteSpec<S>): void {
    const validate = validator(spec.args);
    for (const url of urlsOf(spec, env.enableV1)) {
      const version: ApiVersion | null = url.startsWith(V1_PREFIX)
        ? "v1"
        : url.startsWith(V2_PREFIX)
          ? "v2"
          : null;
      app.route({
        method: spec.method,
        // Every Cairn path is literal: escape `:` so the router does not take `:0` for a parameter.
        url: url.replaceAll(":", "::"),
        handler: async (req, reply) => {
          const read = () =>
            extractArgs(
              {
                method: req.method,
                url: req.url,
                contentType: req.headers["content-type"],
                body: Buffer.isBuffer(req.body) ? req.body : undefined,
              },
              spec.alwaysJson,
            );
          const authenticates = version === "v2" && spec.auth !== undefined;
          const deferReadError = spec.before !== undefined && (!authenticates || hasBearer(req));
          let raw: Args | undefined;
          let readError: unknown;
          try {
            raw = read();
          } catch (err) {
            if (!deferReadError) throw err;
            readError = err;
          }
          let userId: string | null = null;
          if (authenticates) {
            userId = await env.auth.authenticate(tokenFromRequest(req, raw ?? {}), spec.auth === "terms");
          }
          await spec.before?.({ req, reply, version, userId });
          if (raw === undefined) throw readError;
          const args = validate(raw);
          const result = await spec.handler({ args, req, reply, version, userId });
          if (!reply.sent && result !== undefined) return result;
          return reply;
        },
      });
    }
  };
}

export type Route = ReturnType<typeof createRouter>;
