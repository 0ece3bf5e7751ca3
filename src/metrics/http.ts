// Counts and times every request of a listener: Sydent's counter (by servlet, for requests that
// reached a handler, 405s included, 404s not) and Cairn's latency histogram by route pattern.
import type { FastifyInstance } from "fastify";
import { decodedPath } from "../http/error-handler.js";
import type { Metrics } from "./metrics.js";
import { servletFor } from "./servlets.js";

export function installHttpMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook("onResponse", async (req, reply) => {
    const pattern = req.routeOptions.url?.replaceAll("::", ":");
    const path = pattern ?? (reply.statusCode === 405 ? decodedPath(req.url) : null);
    const servlet = path ? servletFor(path) : undefined;
    if (servlet) metrics.httpRequests.inc({ servlet, method: req.method });
    metrics.httpDuration.observe(
      { route: pattern ?? "(unmatched)", method: req.method, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
}
