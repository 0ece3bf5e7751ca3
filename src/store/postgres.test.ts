import { createTestSchema, skipWithoutPostgres } from "../../test/postgres.js";
import { openPostgresStore } from "./postgres.js";
import { runStoreSuite } from "./store-suite.js";

runStoreSuite(
  "PostgreSQL store",
  async () => {
    const schema = await createTestSchema();
    const store = await openPostgresStore({ url: schema.url, poolSize: 4 });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await schema.cleanup();
      },
    };
  },
  skipWithoutPostgres,
);
