import type { ConversationSummary, SearchHit } from "../../preload/contract";
import { toChatMessage } from "../core/features/chat/to-chat-message";
import { toBareJid } from "../core/jid";
import { errorName } from "../shared/errors";
import type { Handlers } from "./dispatch";
import { requireAccount, requireState, type ServiceContext } from "./service-context";

type ChatHandlers = Pick<
  Handlers,
  | "sendMessage"
  | "correctMessage"
  | "sendChatState"
  | "history"
  | "conversations"
  | "markRead"
  | "search"
  | "deleteHistory"
>;

/** A peer as conversations are kept: its bare JID. */
const bare = (jid: string) => toBareJid(jid) ?? jid;

/**
 * Conversations, their history and search. All of it works offline: the account's state outlives
 * its connections, and what is written offline waits in the outbox until the account connects.
 */
export function createChatHandlers(context: ServiceContext): ChatHandlers {
  const { accounts, log } = context;

  return {
    sendMessage: async ({ accountId, to, body }) =>
      requireState(context, accountId).chat.send(to, body),

    correctMessage: async ({ accountId, to, id, body }) =>
      requireState(context, accountId).chat.correct(to, id, body),

    sendChatState: async ({ accountId, to, state }) =>
      requireState(context, accountId).chat.sendChatState(to, state),

    history: async ({ accountId, peer, before, after, around, limit }) =>
      requireState(context, accountId).chat.history(
        bare(peer),
        {
          ...(before !== undefined && { before }),
          ...(after !== undefined && { after }),
          ...(around !== undefined && { around }),
        },
        limit,
      ),

    async conversations({ limit }) {
      // One account whose history cannot be read leaves the others' conversations listed.
      const lists = await Promise.all(
        accounts.accounts().map(async ({ id }): Promise<ConversationSummary[]> => {
          const state = accounts.state(id);
          if (!state) return [];
          try {
            const found = await state.chat.conversations(limit);
            return found.map((conversation) => ({ accountId: id, ...conversation }));
          } catch (error) {
            log.warn("could not list an account's conversations", {
              accountId: id,
              error: errorName(error),
            });
            return [];
          }
        }),
      );
      return lists
        .flat()
        .sort((a, b) => b.last.timestamp - a.last.timestamp)
        .slice(0, limit);
    },

    markRead: async ({ accountId, peer, upTo }) =>
      requireState(context, accountId).chat.markRead(bare(peer), upTo),

    async search({ text, accountId, peer, before, limit }): Promise<SearchHit[]> {
      if (accountId !== undefined) requireAccount(context, accountId);
      if (!context.search) return [];
      const records = await context.search({
        text,
        ...(accountId !== undefined && { accountId }),
        ...(peer !== undefined && { conversation: bare(peer) }),
        ...(before !== undefined && { before }),
        limit,
      });
      // The database may still hold an account removed a moment ago.
      const known = new Set(accounts.accounts().map((account) => account.id));
      return records
        .filter((record) => known.has(record.accountId))
        .map((record) => ({ accountId: record.accountId, message: toChatMessage(record) }));
    },

    async deleteHistory({ accountId, peer }) {
      const deleted = await requireState(context, accountId).chat.deleteHistory(bare(peer));
      log.info("deleted a conversation's history", { accountId, messages: deleted });
    },
  };
}
