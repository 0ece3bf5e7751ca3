// Locates the shared Sydent fixtures: `<repo>/../shared/fixtures/sydent/`.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../shared/fixtures/sydent/", import.meta.url));

export function fixturePath(...parts: string[]): string {
  return join(root, ...parts);
}

export function readFixtureJson(...parts: string[]): unknown {
  return JSON.parse(readFileSync(fixturePath(...parts), "utf8"));
}
