// The results as a plain-text table, each Cairn row next to the bare Fastify route's figures for
// the same batch size.
import type { CaseResult } from "./bench.js";

const number = (value: number, digits = 0) =>
  Number.isFinite(value) ? value.toLocaleString("en-US", { maximumFractionDigits: digits }) : "-";

const ratio = (value: number, base: number | undefined) =>
  base === undefined || base === 0 || !Number.isFinite(value) ? "-" : `${(value / base).toFixed(2)}x`;

export function formatTable(results: readonly CaseResult[]): string {
  const header = [
    "target",
    "batch",
    "req/s",
    "p50 ms",
    "p99 ms",
    "addresses/s",
    "req/s vs bare",
    "p50 vs bare",
    "non-2xx",
    "errors",
  ];
  const rows = results.map((r) => {
    const bare = results.find((b) => b.target === "bare" && b.batch === r.batch);
    return [
      r.target,
      String(r.batch),
      number(r.requestsPerSec),
      number(r.p50Ms, 2),
      number(r.p99Ms, 2),
      number(r.addressesPerSec),
      ratio(r.requestsPerSec, bare?.requestsPerSec),
      ratio(r.p50Ms, bare?.p50Ms),
      String(r.non2xx),
      String(r.errors),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
