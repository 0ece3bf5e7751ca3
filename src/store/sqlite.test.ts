import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "./sqlite.js";
import { runStoreSuite } from "./store-suite.js";

runStoreSuite("SQLite store (:memory:)", async () => {
  const store = await openSqliteStore(":memory:");
  return { store, cleanup: () => store.close() };
});

runStoreSuite("SQLite store (file, WAL)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "cairn-store-"));
  const store = await openSqliteStore(join(dir, "sydent.db"));
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
