import type { CertificateInfo, ErrorCode, UserError } from "../../preload/contract";

/** An error meant for the person using Wren: the message is shown as is. */
export class WrenError extends Error {
  readonly code: ErrorCode;
  /** The certificate a server showed, when that is what the person must decide about. */
  readonly certificate?: CertificateInfo;

  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; certificate?: CertificateInfo },
  ) {
    super(message, options);
    this.name = "WrenError";
    this.code = code;
    if (options?.certificate) this.certificate = options.certificate;
  }

  toUserError(): UserError {
    return this.certificate
      ? { code: this.code, message: this.message, certificate: { ...this.certificate } }
      : { code: this.code, message: this.message };
  }
}

export function toUserError(error: unknown): UserError {
  if (error instanceof WrenError) return error.toUserError();
  return {
    code: "internal",
    message: "Something went wrong inside Wren. The details are in the log.",
  };
}

/** A WrenError as it is; anything else becomes the "something went wrong inside Wren" error. */
export function asWrenError(error: unknown): WrenError {
  if (error instanceof WrenError) return error;
  return new WrenError(
    "internal",
    "Something went wrong inside Wren. The details are in the log.",
    {
      cause: error,
    },
  );
}

/** For logs: what kind of error, never its message (which might quote a secret or a message). */
export function errorName(error: unknown): string {
  if (error instanceof WrenError) return `WrenError(${error.code})`;
  return error instanceof Error ? error.name : typeof error;
}
