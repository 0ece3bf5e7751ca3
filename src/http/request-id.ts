// The request id: the caller's `X-Request-ID` when it is a plain token (a proxy's or load
// balancer's, so that lines can be matched across hops), else 16 random hex digits. It is sent back
// in `X-Request-ID`, and the request's hooks and handler run inside `requestContext` so that every
// line logged for the request carries it.
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { FastifyInstance } from "fastify";
import { requestContext } from "../log.js";

export const REQUEST_ID_HEADER = "x-request-id";

// No `@`, `+` or spaces: an incoming id cannot smuggle an address or free text into the log.
const SANE_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function genReqId(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  if (typeof given === "string" && SANE_ID.test(given)) return given;
  return randomBytes(8).toString("hex");
}

export function installRequestId(app: FastifyInstance): void {
  // The rest of the request's life (body, handler, error handler) continues from `done`, so it
  // inherits the context; the test sends a body over a real socket to check it.
  app.addHook("onRequest", (req, reply, done) => {
    reply.header(REQUEST_ID_HEADER, req.id);
    requestContext.run(req.id, done);
  });
}
