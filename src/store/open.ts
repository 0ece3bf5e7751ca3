// Picks the engine from the configuration: PostgreSQL when `[postgres] url` is set, else the
// SQLite file `[db] db.file` (Sydent's).

import type { Config } from "../config/types.js";
import { openPostgresStore } from "./postgres.js";
import { openSqliteStore } from "./sqlite.js";
import type { Store } from "./store.js";

export type StoreOptions = Pick<Config, "db" | "postgres">;

export function openStore(options: StoreOptions): Promise<Store> {
  const { db, postgres } = options;
  return postgres.url !== ""
    ? openPostgresStore({ url: postgres.url, poolSize: postgres.poolSize })
    : openSqliteStore(db.file);
}
