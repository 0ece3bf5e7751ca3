// Prometheus metrics. Sydent's names are kept (`sydent_http_received_requests_total`,
// `sydent_emails_sent_total`) so existing dashboards keep working; Cairn's own are `cairn_*`.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { PoolState } from "../store/store.js";

export interface Metrics {
  registry: Registry;
  /** Sydent's request counter: `servlet` is Sydent's handler class name, `method` the HTTP method. */
  httpRequests: Counter<"servlet" | "method">;
  httpDuration: Histogram<"route" | "method" | "status">;
  emailsSent: Counter;
  smsSent: Counter<"provider" | "outcome">;
  onbindDelivered: Counter<"outcome">;
  onbindQueueDepth: Gauge;
  replicationBehind: Gauge<"peer">;
  replicationPushes: Counter<"peer" | "outcome">;
  dbPool: Gauge<"state">;
}

export interface MetricsOptions {
  /** Node's process metrics (`process_*`, `nodejs_*`), as Sydent exports Python's. Default on. */
  defaultMetrics?: boolean;
  /** Read at each scrape for `cairn_db_pool_connections`; null (SQLite): no series. */
  connections?: () => PoolState | null;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const { connections } = options;
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({
      name: "sydent_http_received_requests_total",
      help: "Received HTTP requests, by Sydent servlet name and method",
      labelNames: ["servlet", "method"],
      registers,
    }),
    httpDuration: new Histogram({
      name: "cairn_http_request_duration_seconds",
      help: "Time to answer HTTP requests, by route pattern, method and status",
      labelNames: ["route", "method", "status"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    emailsSent: new Counter({ name: "sydent_emails_sent_total", help: "Emails attempted", registers }),
    smsSent: new Counter({
      name: "cairn_sms_sent_total",
      help: "SMS messages handed to a provider, by provider and outcome",
      labelNames: ["provider", "outcome"],
      registers,
    }),
    onbindDelivered: new Counter({
      name: "cairn_onbind_deliveries_total",
      help: "Bind notifications to homeservers, by outcome (delivered, retry, gave_up)",
      labelNames: ["outcome"],
      registers,
    }),
    onbindQueueDepth: new Gauge({
      name: "cairn_onbind_queue_depth",
      help: "Bind notifications waiting for delivery",
      registers,
    }),
    replicationBehind: new Gauge({
      name: "cairn_replication_peer_behind",
      help: "Local associations not yet accepted by each replication peer",
      labelNames: ["peer"],
      registers,
    }),
    replicationPushes: new Counter({
      name: "cairn_replication_pushes_total",
      help: "Replication pushes to peers, by peer and outcome",
      labelNames: ["peer", "outcome"],
      registers,
    }),
    dbPool: new Gauge({
      name: "cairn_db_pool_connections",
      help: "PostgreSQL pool: connections open (total), idle ones, and queries waiting for one",
      labelNames: ["state"],
      registers,
      collect() {
        const now = connections?.();
        if (!now) return;
        for (const state of ["total", "idle", "waiting"] as const) this.set({ state }, now[state]);
      },
    }),
  };
}
