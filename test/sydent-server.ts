// Test deps on a copy of the database the real Sydent filled (fixtures `current/`), configured as
// Sydent's own server: its server name and its signing key.
import { acceptTestToken } from "./auth.js";
import { testDeps, type TestDeps } from "./deps.js";
import { tempDatabase } from "./sqlite-files.js";

export interface SydentServerFacts {
  server_name: string;
  signing_key_config_value: string;
}

export interface SydentServer {
  deps: TestDeps;
  /** Closes the deps and removes the copied database. */
  close(): Promise<void>;
}

export async function sydentServer(facts: SydentServerFacts): Promise<SydentServer> {
  const file = tempDatabase("current", "sydent.db");
  const deps = await testDeps({
    auth: acceptTestToken,
    conf: {
      general: { "server.name": facts.server_name },
      db: { "db.file": file.path },
      crypto: { "ed25519.signingkey": facts.signing_key_config_value },
    },
  });
  return {
    deps,
    close: async () => {
      await deps.cleanup();
      file.remove();
    },
  };
}
