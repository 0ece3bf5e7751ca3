// One error model for every listener: `{errcode, error}` with the right status. Unknown paths are
// 404 M_UNRECOGNIZED and known paths with the wrong method 405 M_UNRECOGNIZED (spec v1.6); anything
// unexpected is logged with the request id and answered 500 with a fixed message, so that no stack,
// SQL or address reaches a client.
import type { FastifyError, FastifyInstance, FastifyReply } from "fastify";
import { internalError, MatrixError } from "../errors.js";
import { corsHeaders } from "./cors.js";

function send(reply: FastifyReply, err: MatrixError): FastifyReply {
  for (const [name, value] of Object.entries(err.headers)) reply.header(name, value);
  return reply.code(err.status).type("application/json").send(err.toJSON());
}

function fromFastify(err: FastifyError): MatrixError | null {
  switch (err.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new MatrixError("M_TOO_LARGE", "Request body too large", { status: 413 });
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new MatrixError("M_BAD_JSON", "Malformed request body");
    case "FST_ERR_BAD_URL":
    case "FST_ERR_ASYNC_CONSTRAINT":
      return new MatrixError("M_UNRECOGNIZED", "Malformed request path", { status: 400 });
    default:
      return null;
  }
}

/** For Fastify's `frameworkErrors`: errors raised before routing (a malformed path, say). */
export function sendFrameworkError(error: FastifyError, reply: FastifyReply): FastifyReply {
  reply.headers(corsHeaders);
  return send(reply, fromFastify(error) ?? internalError());
}

/** The request target with `%3A` in its path decoded to `:`; the query is left as it is. */
export function decodeColons(url: string): string {
  const q = url.indexOf("?");
  const path = q === -1 ? url : url.slice(0, q);
  return path.replace(/%3a/gi, ":") + (q === -1 ? "" : url.slice(q));
}

/** The path of a request target, percent-decoded as Sydent decodes segments; `null` if undecodable. */
export function decodedPath(url: string): string | null {
  const q = url.indexOf("?");
  try {
    return decodeURIComponent(q === -1 ? url : url.slice(0, q));
  } catch {
    return null;
  }
}

/** Installs the error and not-found handlers; returns nothing, records known paths as routes are added. */
export function installErrorHandling(app: FastifyInstance): void {
  const methodsByPath = new Map<string, Set<string>>();
  app.addHook("onRoute", (opts) => {
    const methods = Array.isArray(opts.method) ? opts.method : [opts.method];
    const path = opts.url.replaceAll("::", ":");
    const known = methodsByPath.get(path) ?? new Set<string>();
    for (const m of methods) known.add(m);
    methodsByPath.set(path, known);
  });

  app.setErrorHandler((error: FastifyError, req, reply) => {
    if (error instanceof MatrixError) return send(reply, error);
    const mapped = fromFastify(error);
    if (mapped) return send(reply, mapped);
    req.log.error({ err: error }, "request failed");
    return send(reply, internalError());
  });

  app.setNotFoundHandler((req, reply) => {
    const path = decodedPath(req.url);
    const methods = path === null ? undefined : methodsByPath.get(path);
    if (methods && req.method === "OPTIONS") return reply.code(200).send();
    if (methods) {
      const allow = [...methods].filter((m) => m !== "OPTIONS").join(", ");
      return send(
        reply,
        new MatrixError("M_UNRECOGNIZED", "Unrecognized request method", {
          status: 405,
          headers: { Allow: allow },
        }),
      );
    }
    return send(reply, new MatrixError("M_UNRECOGNIZED", "Unrecognized request"));
  });
}
