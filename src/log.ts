// The process logger: pino JSON lines on stderr, or in the daily-rotated file of `log.path`. Every
// line written while a request is handled carries its id (`reqId`), whichever logger wrote it:
// request handling runs inside `requestContext`, and a mixin adds the id to lines of loggers that do
// not already bind it (Fastify's `req.log` does). Secrets are censored by field name, and error
// messages are scrubbed of addresses and URL query values (see log-redact.ts). With an error
// reporter (Sentry), each error-level line that carries an error is also reported.
import { AsyncLocalStorage } from "node:async_hooks";
import pino, { type DestinationStream, type Logger, type LoggerOptions } from "pino";
import { systemClock, type Clock } from "./clock.js";
import type { Config } from "./config/types.js";
import { DailyLogFile } from "./log-file.js";
import { CENSOR, REDACT_PATHS, scrubText } from "./log-redact.js";
import type { ErrorReporter } from "./sentry.js";

/** The id of the request being handled, for lines logged by code that has no `req.log`. */
export const requestContext = new AsyncLocalStorage<string>();

/** The label of the request id in log lines (Fastify's `requestIdLogLabel`). */
export const REQUEST_ID_LABEL = "reqId";

// Errors are serialised without their enumerable extras (a PostgreSQL error's `detail` quotes the
// row), and their message and stack are scrubbed.
function errSerializer(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: scrubText(String(err)) };
  const code = (err as { code?: unknown }).code;
  const cause = err.cause === undefined ? undefined : errSerializer(err.cause);
  return {
    type: err.name,
    message: scrubText(err.message),
    code,
    stack: err.stack === undefined ? undefined : scrubText(err.stack),
    cause,
  };
}

/** The error of a log call: `log.error(err, ...)` or `log.error({ err }, ...)`. */
function errorOf(first: unknown): Error | undefined {
  if (first instanceof Error) return first;
  const err = (first as { err?: unknown } | null)?.err;
  return err instanceof Error ? err : undefined;
}

const ERROR_LEVEL = 50;

function scrubValue(value: unknown): unknown {
  if (typeof value === "string") return scrubText(value);
  if (Array.isArray(value)) return value.map((v) => (typeof v === "string" ? scrubText(v) : v));
  return value;
}

/** The options every Cairn logger is built with, tests' included. */
export function loggerOptions(level: LoggerOptions["level"], reporter?: ErrorReporter): LoggerOptions {
  return {
    level,
    base: { pid: process.pid },
    serializers: { err: errSerializer },
    redact: { paths: REDACT_PATHS, censor: CENSOR },
    hooks: {
      // A message is free text: scrub it as an error message is.
      logMethod(args, method, level) {
        const scrubbed = args.map((a) => (typeof a === "string" ? scrubText(a) : a));
        method.apply(this, scrubbed as Parameters<typeof method>);
        const err = reporter && level >= ERROR_LEVEL ? errorOf(args[0]) : undefined;
        if (err) {
          const bound = this.bindings()[REQUEST_ID_LABEL] as string | undefined;
          const message = scrubbed.find((a) => typeof a === "string");
          reporter?.report(err, { message, requestId: bound ?? requestContext.getStore() });
        }
      },
    },
    formatters: {
      // Free-text fields (`reason`, `problems`, ...) are scrubbed as messages are.
      log(object) {
        const out: Record<string, unknown> = {};
        for (const [name, value] of Object.entries(object)) out[name] = scrubValue(value);
        return out;
      },
    },
    mixin(_merge, _level, logger) {
      const id = requestContext.getStore();
      if (id === undefined || REQUEST_ID_LABEL in logger.bindings()) return {};
      return { [REQUEST_ID_LABEL]: id };
    },
  };
}

export function createLogger(
  general: Pick<Config["general"], "logLevel" | "logPath">,
  clock: Clock = systemClock,
  reporter?: ErrorReporter,
): Logger {
  const destination: DestinationStream =
    general.logPath === ""
      ? pino.destination({ dest: 2, sync: false })
      : new DailyLogFile(general.logPath, clock);
  return pino(loggerOptions(general.logLevel, reporter), destination);
}
