import type { ErrorCode, UserError } from "../../preload/contract";

/** An error meant for the person using Wren: the message is shown as is. */
export class WrenError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "WrenError";
    this.code = code;
  }

  toUserError(): UserError {
    return { code: this.code, message: this.message };
  }
}

export function toUserError(error: unknown): UserError {
  if (error instanceof WrenError) return error.toUserError();
  return {
    code: "internal",
    message: "Something went wrong inside Wren. The details are in the log.",
  };
}
