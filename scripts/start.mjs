// `npm start` runs scripts with the package root as working directory; Cairn serves from the
// directory the operator was in (npm records it as INIT_CWD), as Sydent serves from its own.
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);
process.argv = [process.argv[0], cli, "serve", ...process.argv.slice(2)];
await import(cli);
