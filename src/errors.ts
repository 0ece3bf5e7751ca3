// The one error type below a handler. Every errcode has a default HTTP status; a call site passes
// another status only where Sydent (or the spec) answers the same errcode with a different one.

export const errcodeStatus = {
  M_BAD_JSON: 400,
  M_DESTINATION_REJECTED: 400,
  M_EMAIL_SEND_ERROR: 500,
  M_FORBIDDEN: 403,
  M_INVALID_EMAIL: 400,
  M_INVALID_PARAM: 400,
  M_INVALID_PEPPER: 400,
  M_INVALID_PHONE_NUMBER: 400,
  M_LIMIT_EXCEEDED: 429,
  M_MISSING_PARAMS: 400,
  M_NOT_FOUND: 404,
  M_NOT_JSON: 400,
  M_NO_VALID_SESSION: 404,
  M_SEND_ERROR: 500,
  M_SESSION_EXPIRED: 400,
  M_SESSION_NOT_VALIDATED: 400,
  M_TERMS_NOT_SIGNED: 403,
  M_THREEPID_IN_USE: 400,
  M_TOKEN_INCORRECT: 400,
  M_TOO_LARGE: 400,
  M_UNAUTHORIZED: 401,
  M_UNKNOWN: 500,
  M_UNKNOWN_PEER: 403,
  M_UNKNOWN_TOKEN: 401,
  M_UNRECOGNIZED: 404,
  M_VERIFICATION_FAILED: 400,
} as const satisfies Record<string, number>;

export type Errcode = keyof typeof errcodeStatus;

export interface MatrixErrorOptions {
  /** HTTP status when it differs from the errcode's default. */
  status?: number;
  /** Extra members of the response body next to errcode and error (e.g. `mxid`, `retry_after_ms`). */
  extra?: Record<string, unknown>;
  /** Response headers to set with the error (e.g. `Allow`). */
  headers?: Record<string, string>;
}

export class MatrixError extends Error {
  readonly errcode: Errcode;
  readonly status: number;
  readonly extra: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(errcode: Errcode, message: string, options: MatrixErrorOptions = {}) {
    super(message);
    this.name = "MatrixError";
    this.errcode = errcode;
    this.status = options.status ?? errcodeStatus[errcode];
    this.extra = options.extra ?? {};
    this.headers = options.headers ?? {};
  }

  /** The response body: `{errcode, error, ...extra}`. */
  toJSON(): Record<string, unknown> {
    return { errcode: this.errcode, error: this.message, ...this.extra };
  }
}

export const missingParams = (names: readonly string[]): MatrixError =>
  new MatrixError("M_MISSING_PARAMS", `Missing parameters: ${names.join(",")}`);

export const invalidParam = (message: string): MatrixError => new MatrixError("M_INVALID_PARAM", message);

export const badJson = (message = "Malformed JSON"): MatrixError => new MatrixError("M_BAD_JSON", message);

/** The body of every unexpected failure: never the exception text, which may hold SQL or an address. */
export const internalError = (): MatrixError => new MatrixError("M_UNKNOWN", "Internal Server Error");
