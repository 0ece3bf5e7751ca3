// CORS on every response of the client API, including errors, as the spec asks; preflight OPTIONS
// requests on known paths are answered 200 with an empty body by the not-found handler.
import type { FastifyInstance } from "fastify";

export const corsHeaders = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, OPTIONS",
  "Access-Control-Allow-Headers": "Origin, X-Requested-With, Content-Type, Accept, Authorization",
} as const;

export function installCors(app: FastifyInstance): void {
  app.addHook("onRequest", async (_req, reply) => {
    reply.headers(corsHeaders);
  });
}
