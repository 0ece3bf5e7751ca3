// Locates the shared Sydent fixtures: `<repo>/../shared/fixtures/sydent/<parts>`.
import { fileURLToPath } from "node:url";

const root = new URL("../../shared/fixtures/sydent/", import.meta.url);

export function fixturePath(...parts: string[]): string {
  return fileURLToPath(new URL(parts.join("/"), root));
}
