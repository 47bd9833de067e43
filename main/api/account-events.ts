import type { XmppSession } from "../core/session-api";
import { toSummary } from "./account-view";
import type { ServiceContext } from "./service-context";
import { errorName } from "../shared/errors";

/**
 * Turns the manager's events into WrenEvents tagged with their account. Also gives each new
 * session of an account the own presence the person last chose for it. Returns the unsubscribe.
 */
export function forwardAccountEvents(context: ServiceContext): () => void {
  const { accounts, push, log } = context;
  /** The session each account had when last looked at; a different one is new. */
  const seen = new Map<string, XmppSession>();

  const restorePresence = (accountId: string) => {
    const session = accounts.session(accountId);
    if (!session || seen.get(accountId) === session) return;
    seen.set(accountId, session);
    const wanted = context.presence.get(accountId);
    if (!wanted) return;
    Promise.resolve()
      .then(() => session.setPresence(wanted.show, wanted.status))
      .catch((error: unknown) =>
        log.warn("could not restore presence", { accountId, error: errorName(error) }),
      );
  };

  const offs = [
    accounts.on("accounts", (change) => {
      if (change.kind === "removed") {
        seen.delete(change.accountId);
        context.catchUp.delete(change.accountId);
        push({ type: "account-removed", accountId: change.accountId });
        return;
      }
      restorePresence(change.accountId);
      push({ type: "account", account: toSummary(change.account) });
    }),
    accounts.on("roster", ({ accountId, upserted, removed, reset }) =>
      push({ type: "roster", accountId, upserted, removed, reset }),
    ),
    accounts.on("presence", ({ accountId, contacts }) =>
      push({ type: "presence", accountId, contacts }),
    ),
    accounts.on("ownPresence", ({ accountId, show, status }) =>
      push({ type: "own-presence", accountId, show, status }),
    ),
    accounts.on("message", ({ accountId, message }) =>
      push({ type: "messages", accountId, messages: [message] }),
    ),
    accounts.on("messageChanges", ({ accountId, changes }) =>
      push({ type: "message-changes", accountId, changes }),
    ),
    accounts.on("chatState", ({ accountId, peer, state }) =>
      push({ type: "chat-state", accountId, peer, state }),
    ),
    accounts.on("conversationRead", ({ accountId, peer }) =>
      push({ type: "conversation-read", accountId, peer }),
    ),
    accounts.on("catchUp", ({ accountId, progress }) => {
      // Kept while it runs or after it failed, for the snapshot of a page that starts meanwhile.
      if (progress.running || progress.error !== undefined)
        context.catchUp.set(accountId, progress);
      else context.catchUp.delete(accountId);
      push({ type: "catch-up", accountId, progress });
    }),
    accounts.on("subscriptionRequest", ({ accountId, jid }) =>
      push({ type: "subscription-request", accountId, jid }),
    ),
    accounts.on("subscriptionRequestResolved", ({ accountId, jid }) =>
      push({ type: "subscription-request-resolved", accountId, jid }),
    ),
  ];
  return () => {
    for (const off of offs) off();
  };
}
