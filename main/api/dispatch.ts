import {
  commands,
  type CommandName,
  type CommandResult,
  type Envelope,
  type ParsedArgs,
} from "../../preload/contract";
import { toUserError, WrenError } from "../shared/errors";

export type Handlers = {
  [K in CommandName]: (args: ParsedArgs<K>) => Promise<CommandResult<K>> | CommandResult<K>;
};

export type Dispatch = (name: CommandName, rawArgs: unknown) => Promise<Envelope<unknown>>;

export interface DispatchOptions {
  /**
   * Called with what the person only sees as "internal" (whose message points to the log): errors
   * that are not WrenErrors (bugs), and WrenErrors of code "internal".
   */
  onInternalError?: (name: CommandName, error: unknown) => void;
}

/**
 * The one path every command takes, whatever carries it (Electron IPC or the preview's WebSocket):
 * validate the arguments against the contract, run the handler, and wrap the outcome in an envelope.
 * Nothing thrown here ever crosses the boundary as an exception.
 */
export function createDispatch(handlers: Handlers, options: DispatchOptions = {}): Dispatch {
  return async (name, rawArgs) => {
    if (!Object.hasOwn(commands, name)) {
      return failure(new WrenError("invalid-argument", "Unknown command."));
    }
    const parsed = commands[name].args.safeParse(rawArgs);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      return failure(new WrenError("invalid-argument", first?.message ?? "Invalid request."));
    }
    try {
      const handler = handlers[name] as (args: unknown) => unknown;
      return { ok: true, value: await handler(parsed.data) };
    } catch (error) {
      if (!(error instanceof WrenError) || error.code === "internal") {
        options.onInternalError?.(name, error);
      }
      return { ok: false, error: toUserError(error) };
    }
  };
}

function failure(error: WrenError): Envelope<never> {
  return { ok: false, error: error.toUserError() };
}
