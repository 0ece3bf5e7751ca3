// The Prometheus listener (`prometheus_addr`/`prometheus_port`): the exposition on any path, as
// Sydent's prometheus_client server answers.
import { createServer, type Server } from "node:http";
import type { Registry } from "prom-client";

export async function startMetricsServer(registry: Registry, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    registry.metrics().then(
      (body) => {
        res.writeHead(200, { "Content-Type": registry.contentType });
        res.end(req.method === "HEAD" ? undefined : body);
      },
      () => {
        res.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    // Sydent: an empty prometheus_addr means every interface.
    server.listen(port, host === "" ? "::" : host, () => resolve());
  });
  return server;
}
