// How the `cairn` admin commands read sydent.conf: the file the server would use (`--config`, else
// $SYDENT_CONF, else ./sydent.conf), which must exist, and which they never write (a file without a
// signing key stays as it is; `written` then says what the server would have changed).
import { resolve } from "node:path";
import { loadConfig, type LoadedConfig } from "../config/load.js";
import { nodeConfigFs, systemLoadOptions } from "../config/system.js";
import { casefold } from "../crypto/casefold.js";

/** The config, or null when there is no file (the caller names `file` in its message). */
export async function loadToolConfig(
  configPath: string | undefined,
): Promise<{ file: string; loaded: LoadedConfig | null }> {
  const options = systemLoadOptions();
  const file = resolve(options.cwd, configPath ?? (options.env.SYDENT_CONF || "sydent.conf"));
  if (nodeConfigFs.readText(file) === null) return { file, loaded: null };
  const fs = { ...nodeConfigFs, writeText: () => {} };
  return { file, loaded: await loadConfig({ ...options, fs, path: file, casefold }) };
}
