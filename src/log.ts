// The process logger: pino JSON lines on stderr, or appended to `log.path` when set. Errors are
// serialised without their enumerable extras (a database error's `detail` can quote a row).
import pino, { type Logger } from "pino";
import type { Config } from "./config/types.js";

function errSerializer(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err) };
  const code = (err as { code?: unknown }).code;
  return { type: err.name, message: err.message, code, stack: err.stack };
}

export function createLogger(general: Pick<Config["general"], "logLevel" | "logPath">): Logger {
  const destination =
    general.logPath === ""
      ? pino.destination({ dest: 2, sync: false })
      : pino.destination({ dest: general.logPath, mkdir: true, sync: false });
  return pino(
    {
      level: general.logLevel,
      base: { pid: process.pid },
      serializers: { err: errSerializer },
    },
    destination,
  );
}
