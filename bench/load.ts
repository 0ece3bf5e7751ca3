// One measurement: autocannon POSTs the workload's bodies in turn to a target, first for a
// warm-up that is discarded (the JIT and the database cache settle), then for the measured time.
// Latency is taken from each response's own timing (autocannon's histogram rounds to whole
// milliseconds, too coarse for sub-millisecond answers).
import autocannon from "autocannon";
import { BENCH_TOKEN } from "./dataset.js";
import { LOOKUP_PATH } from "./lookup-path.js";

export interface LoadOptions {
  durationSec: number;
  warmupSec: number;
  connections: number;
  signal?: AbortSignal;
}

export interface Measurement {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses other than 2xx, and connection errors or timeouts: both should be 0. */
  non2xx: number;
  errors: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

export async function measure(
  url: string,
  bodies: readonly string[],
  options: LoadOptions,
): Promise<Measurement> {
  await run(url, bodies, { ...options, durationSec: options.warmupSec });
  return run(url, bodies, options);
}

function run(url: string, bodies: readonly string[], options: LoadOptions): Promise<Measurement> {
  let next = 0;
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: options.connections,
        duration: options.durationSec,
        requests: [
          {
            method: "POST",
            path: LOOKUP_PATH,
            headers: { "content-type": "application/json", authorization: `Bearer ${BENCH_TOKEN}` },
            setupRequest: (request) => {
              request.body = bodies[next++ % bodies.length];
              return request;
            },
          },
        ],
      },
      (error: unknown, result) => {
        options.signal?.removeEventListener("abort", stop);
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        const sorted = latencies.subarray(0, count).sort();
        resolve({
          requestsPerSec: result["2xx"] / result.duration,
          p50Ms: percentile(sorted, 50),
          p99Ms: percentile(sorted, 99),
          non2xx: result.non2xx,
          errors: result.errors,
        });
      },
    );
    const stop = () => instance.stop();
    options.signal?.addEventListener("abort", stop, { once: true });
    instance.on("response", (_client, status, _bytes, ms) => {
      if (status < 200 || status > 299) return;
      if (count === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[count++] = ms;
    });
  });
}
