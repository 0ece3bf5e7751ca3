// One log line per request, without anything a request can carry in its target or body: the route
// pattern stands in for the path (an unmatched path is not logged), and the query string never is.
import type { FastifyInstance } from "fastify";

export function installRequestLog(app: FastifyInstance): void {
  app.addHook("onResponse", async (req, reply) => {
    const route = req.routeOptions.url?.replaceAll("::", ":") ?? "(unmatched)";
    req.log.info(
      { method: req.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      "request",
    );
  });
}
