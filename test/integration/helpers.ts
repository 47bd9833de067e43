import { inject } from "vitest";
import type { ChatMessage } from "../../preload/contract";
import { createSession } from "../../main/core/account-runtime";
import type { SessionEvents, SessionOptions, XmppSession } from "../../main/core/session-api";
import type { TestAccount } from "./setup/accounts";

/** A session against the test Prosody, over STARTTLS unless told otherwise. */
export function sessionFor(account: TestAccount, options: Partial<SessionOptions> = {}) {
  const server = inject("xmpp");
  const directTls = options.directTls ?? false;
  return createSession({
    jid: account.jid,
    password: account.password,
    host: server.host,
    port: directTls ? server.directTlsPort : server.c2sPort,
    directTls,
    ...options,
  });
}

/** Stops every session a test started, even when the test failed half-way. */
export function sessionPool() {
  const sessions: XmppSession[] = [];
  return {
    async signIn(account: TestAccount, options: Partial<SessionOptions> = {}) {
      const session = sessionFor(account, options);
      sessions.push(session);
      await session.start();
      return session;
    },
    track(session: XmppSession) {
      sessions.push(session);
      return session;
    },
    async stopAll() {
      await Promise.all(sessions.splice(0).map((session) => session.stop()));
    },
  };
}

/** Every chat message the session reports from now on, in order. */
export function collect(session: XmppSession): ChatMessage[] {
  const messages: ChatMessage[] = [];
  session.on("message", (message) => messages.push(message));
  return messages;
}

type Args<E extends keyof SessionEvents> = Parameters<SessionEvents[E]>;

/**
 * Resolves with the first `event` whose arguments satisfy `accept`. Subscribe before acting:
 * `const seen = nextEvent(...); await act(); await seen;`.
 */
export function nextEvent<E extends keyof SessionEvents>(
  session: XmppSession,
  event: E,
  accept: (...args: Args<E>) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<Args<E>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching "${String(event)}" event within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = ((...args: Args<E>) => {
      if (!accept(...args)) return;
      clearTimeout(timer);
      off();
      resolve(args);
    }) as SessionEvents[E];
    const off = session.on(event, listener);
  });
}

/** Polls `check` until it returns true. */
export async function eventually(check: () => boolean, what: string, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 25));
  }
}
