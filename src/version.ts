// Cairn's version: the one in package.json (beside src/ and dist/ alike).
import { readFileSync } from "node:fs";

export function cairnVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}
