import { createLogger } from "./shared/log";

const log = createLogger("app/shutdown");

/** How long quitting waits for a clean sign-out before it goes anyway. */
export const SHUTDOWN_TIMEOUT_MS = 2000;

/** Resolves "done" when `work` settles (either way), "timeout" when `ms` passes first. */
export async function settleWithin(
  work: Promise<unknown>,
  ms: number,
): Promise<"done" | "timeout"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), ms);
  });
  const done = work.then(
    () => "done" as const,
    (error: unknown) => {
      log.warn("cleanup failed while quitting", error);
      return "done" as const;
    },
  );
  try {
    return await Promise.race([done, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The `before-quit` listener. The first quit is held back while `cleanup` runs (sign out, save
 * state), for at most `timeoutMs`; then `quit` is called again and this time let through. A server
 * that never answers delays quitting by seconds, never forever.
 */
export function createQuitGuard(options: {
  cleanup: () => Promise<void>;
  quit: () => void;
  timeoutMs?: number;
}): (event: { preventDefault(): void }) => void {
  let phase: "running" | "cleaning" | "done" = "running";
  return (event) => {
    if (phase === "done") return;
    event.preventDefault();
    if (phase === "cleaning") return;
    phase = "cleaning";
    let work: Promise<void>;
    try {
      work = options.cleanup();
    } catch (error) {
      work = Promise.reject(error);
    }
    void settleWithin(work, options.timeoutMs ?? SHUTDOWN_TIMEOUT_MS).then((outcome) => {
      if (outcome === "timeout") log.warn("cleanup did not finish in time; quitting anyway");
      phase = "done";
      options.quit();
    });
  };
}
