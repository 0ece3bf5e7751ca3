// Locates the shared Sydent fixtures: <repo>/../shared/fixtures/sydent/.

import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../shared/fixtures/sydent/", import.meta.url));

export function fixturePath(...parts: string[]): string {
  return join(root, ...parts);
}
