// Plain-text tables for the admin commands: columns padded to their widest cell, two spaces apart.
export function formatTable(rows: string[][]): string {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? "").length))) ?? [];
  return rows
    .map(
      (r) =>
        r
          .map((cell, col) => cell.padEnd(widths[col] ?? 0))
          .join("  ")
          .trimEnd() + "\n",
    )
    .join("");
}
