// PostgreSQL for tests: the server named by CAIRN_TEST_POSTGRES_URL, one fresh schema per test so
// that test files running in parallel never see each other's tables.

import { randomBytes } from "node:crypto";
import pg from "pg";

export function postgresUrl(): string | undefined {
  return process.env.CAIRN_TEST_POSTGRES_URL || undefined;
}

/** For `test(name, { skip: skipWithoutPostgres }, ...)`. */
export const skipWithoutPostgres: string | false = postgresUrl() ? false : "CAIRN_TEST_POSTGRES_URL not set";

export interface TestSchema {
  /** The server URL with `search_path` bound to the new schema. */
  url: string;
  schema: string;
  /** Drops the schema and everything in it. */
  cleanup(): Promise<void>;
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createTestSchema(): Promise<TestSchema> {
  const base = postgresUrl();
  if (base === undefined) throw new Error("CAIRN_TEST_POSTGRES_URL is not set");
  const schema = `cairn_test_${randomBytes(6).toString("hex")}`;
  await withClient(base, (client) => client.query(`CREATE SCHEMA ${schema}`));
  const url = new URL(base);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return {
    url: url.toString(),
    schema,
    cleanup: () => withClient(base, (client) => client.query(`DROP SCHEMA ${schema} CASCADE`)).then(() => {}),
  };
}
