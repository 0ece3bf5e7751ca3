// One benchmark target in its own process (so that it has a core to itself, apart from the load
// generator): `cairn <config>` is the real Cairn app (bench/cairn-app.ts) on 127.0.0.1; `bare` is
// a Fastify route answering a constant body, without loading any of Cairn. Sends `{port}` to the
// parent over IPC and stops on SIGTERM or when the parent goes away.
import Fastify, { type FastifyInstance } from "fastify";
import { LOOKUP_PATH } from "./lookup-path.js";

interface Running {
  app: FastifyInstance;
  close(): Promise<void>;
}

function bare(): Running {
  const app = Fastify();
  const body = { mappings: {} };
  app.post(LOOKUP_PATH, async () => body);
  return { app, close: () => app.close() };
}

async function main(): Promise<void> {
  const [mode, configPath] = process.argv.slice(2);
  const target: Running =
    mode === "cairn" && configPath ? await (await import("./cairn-app.js")).cairnApp(configPath) : bare();
  await target.app.listen({ host: "127.0.0.1", port: 0 });
  const address = target.app.server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  const stop = () => void target.close().finally(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("disconnect", stop);
  process.send?.({ port: address.port });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
