import { z } from "zod";
import type { ChatMessage, Snapshot } from "./types";

// Argument schemas are checked by main on arrival; result types are main's promise to the renderer.
// A command is declared once here; main, preload and renderer all derive from this table.

const MAX_JID_LENGTH = 3071; // RFC 7622: three parts of at most 1023 octets plus separators

const bareJid = z
  .string()
  .trim()
  .min(3)
  .max(MAX_JID_LENGTH)
  .regex(/^[^@/\s]+@[^@/\s]+$/, "Enter an address like name@example.org");

const domainJidOrBare = z
  .string()
  .trim()
  .min(1)
  .max(MAX_JID_LENGTH)
  .regex(/^([^@/\s]+@)?[^@/\s]+$/, "Enter an address like name@example.org");

const show = z.enum(["chat", "online", "away", "xa", "dnd"]);

function command<R>() {
  return <A extends z.ZodType>(args: A) => ({ args, result: undefined as unknown as R });
}

export const commands = {
  snapshot: command<Snapshot>()(z.object({}).strict()),
  signIn: command<{ jid: string }>()(
    z
      .object({
        jid: bareJid,
        password: z.string().min(1, "Enter your password").max(1024),
        host: z.string().trim().max(253).optional(),
        port: z.number().int().min(1).max(65535).optional(),
        directTls: z.boolean(),
      })
      .strict(),
  ),
  signOut: command<void>()(z.object({}).strict()),
  setPresence: command<void>()(z.object({ show, status: z.string().max(1024) }).strict()),
  addContact: command<void>()(
    z.object({ jid: bareJid, name: z.string().trim().max(256).optional() }).strict(),
  ),
  approveSubscription: command<void>()(z.object({ jid: domainJidOrBare }).strict()),
  denySubscription: command<void>()(z.object({ jid: domainJidOrBare }).strict()),
  sendMessage: command<ChatMessage>()(
    z.object({ to: domainJidOrBare, body: z.string().min(1).max(100_000) }).strict(),
  ),
  history: command<ChatMessage[]>()(
    z
      .object({
        peer: domainJidOrBare,
        before: z.number().optional(),
        limit: z.number().int().min(1).max(500),
      })
      .strict(),
  ),
  openExternal: command<void>()(z.object({ url: z.string().max(8192) }).strict()),
};

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export type CommandArgs<K extends CommandName> = z.input<Commands[K]["args"]>;
export type ParsedArgs<K extends CommandName> = z.output<Commands[K]["args"]>;
export type CommandResult<K extends CommandName> = Commands[K]["result"];

export const commandNames = Object.keys(commands) as CommandName[];

export function commandChannel(name: CommandName): string {
  return `wren:${name}`;
}
