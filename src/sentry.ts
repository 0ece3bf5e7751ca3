// Error reports to Sentry when `[general] sentry_dsn` is set. As Sydent's (whose Python SDK sends
// every ERROR log record), each error-level log line that carries an error becomes an event, with
// the line's request id as the tag `request_id`: an unexpected 500, a failed job, a failed push.
// Uncaught exceptions and unhandled rejections are reported before the process exits. Nothing
// personal is sent: no user or request data collected, no breadcrumbs, and every message and
// exception value scrubbed as log lines are. The SDK is loaded only when a DSN is configured.
import type { ErrorEvent } from "@sentry/node";
import { scrubText } from "./log-redact.js";

export interface ErrorReporter {
  /** Sends `err`, with the log message and the request id of the line that logged it. */
  report(err: Error, context: { message?: string; requestId?: string }): void;
  /** Sends what is queued (waiting at most `timeoutMs`) and stops reporting. */
  close(timeoutMs: number): Promise<void>;
}

export interface SentryOptions {
  dsn: string;
  /** `server.name`, sent as Sydent's tag `sydent_server_name`. */
  serverName: string;
  release: string;
}

function scrub(event: ErrorEvent): ErrorEvent {
  if (event.message !== undefined) event.message = scrubText(event.message);
  for (const value of event.exception?.values ?? []) {
    if (value.value !== undefined) value.value = scrubText(value.value);
  }
  if (typeof event.extra?.log_message === "string")
    event.extra.log_message = scrubText(event.extra.log_message);
  delete event.request;
  delete event.user;
  delete event.breadcrumbs;
  return event;
}

export async function startSentry(options: SentryOptions): Promise<ErrorReporter> {
  const Sentry = await import("@sentry/node");
  Sentry.init({
    dsn: options.dsn,
    release: options.release,
    // SDK 11's successor of `sendDefaultPii: false`: collect nothing about users or requests.
    dataCollection: {
      userInfo: false,
      cookies: false,
      httpHeaders: false,
      httpBodies: [],
      urlQueryParams: false,
      databaseQueryData: false,
    },
    maxBreadcrumbs: 0,
    // Only what is listed: no HTTP, database or console instrumentation, no tracing.
    defaultIntegrations: false,
    integrations: [
      Sentry.linkedErrorsIntegration(),
      Sentry.onUncaughtExceptionIntegration(),
      // Node's own default: an unhandled rejection ends the process.
      Sentry.onUnhandledRejectionIntegration({ mode: "strict" }),
    ],
    initialScope: { tags: { sydent_server_name: options.serverName } },
    beforeSend: scrub,
  });
  return {
    report(err, { message, requestId }) {
      Sentry.withScope((scope) => {
        if (requestId !== undefined) scope.setTag("request_id", requestId);
        if (message !== undefined) scope.setExtra("log_message", message);
        Sentry.captureException(err);
      });
    },
    async close(timeoutMs) {
      await Sentry.close(timeoutMs);
    },
  };
}
