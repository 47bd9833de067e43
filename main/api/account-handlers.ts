import type { Handlers } from "./dispatch";
import { toSummary } from "./account-view";
import { requireAccount, requireOnline, type ServiceContext } from "./service-context";
import { errorName } from "../shared/errors";

type AccountHandlers = Pick<
  Handlers,
  | "addAccount"
  | "updateAccount"
  | "setAccountEnabled"
  | "trustCertificate"
  | "acceptWeakerSignIn"
  | "forgetTrustedCertificate"
  | "removeAccount"
  | "reconnect"
  | "goOffline"
  | "chooseCredentialStore"
  | "setPresence"
  | "addContact"
  | "approveSubscription"
  | "denySubscription"
>;

/** Account management, own presence and roster: each routed to the account it names. */
export function createAccountHandlers(context: ServiceContext): AccountHandlers {
  const { accounts, credentials, log } = context;
  const undecided = () => credentials.status().kind === null;

  /** With no store decided, a wish to save the password is kept and honoured once there is one. */
  const noteSaveWish = (accountId: string, savePassword: boolean | undefined) => {
    if (savePassword === false) context.saveWhenDecided.delete(accountId);
    else if (savePassword === true && undecided()) context.saveWhenDecided.add(accountId);
  };

  return {
    async addAccount({ clientCertificate, ...args }) {
      if (!clientCertificate) {
        const account = await accounts.add(args);
        noteSaveWish(account.id, args.savePassword);
        return toSummary(account);
      }
      // Lent to this attempt: used up if the account is added, usable again if not (to retry
      // after trusting the server's certificate or correcting the address).
      const claimed = context.certificates.claim(clientCertificate.token);
      let account;
      try {
        account = await accounts.add({ ...args, clientCertificate: claimed.certificate });
      } catch (error) {
        claimed.release();
        throw error;
      }
      claimed.used();
      noteSaveWish(account.id, args.savePassword);
      return toSummary(account);
    },

    async updateAccount({ accountId, clientCertificate, ...changes }) {
      if (!clientCertificate) {
        const account = await accounts.update(accountId, changes);
        noteSaveWish(accountId, changes.savePassword);
        return toSummary(account);
      }
      const claimed = context.certificates.claim(clientCertificate.token);
      let account;
      try {
        account = await accounts.update(accountId, {
          ...changes,
          clientCertificate: claimed.certificate,
        });
      } catch (error) {
        claimed.release();
        throw error;
      }
      claimed.used();
      noteSaveWish(accountId, changes.savePassword);
      return toSummary(account);
    },

    async setAccountEnabled({ accountId, enabled }) {
      return toSummary(await accounts.setEnabled(accountId, enabled));
    },

    async trustCertificate({ accountId, fingerprint }) {
      return toSummary(await accounts.trustCertificate(accountId, fingerprint));
    },

    async forgetTrustedCertificate({ accountId }) {
      return toSummary(await accounts.forgetTrustedCertificate(accountId));
    },

    async acceptWeakerSignIn({ accountId }) {
      return toSummary(await accounts.acceptWeakerSignIn(accountId));
    },

    async removeAccount({ accountId }) {
      await accounts.remove(accountId);
      context.presence.delete(accountId);
      context.saveWhenDecided.delete(accountId);
    },

    reconnect: ({ accountId }) => accounts.reconnect(accountId),
    goOffline: ({ accountId }) => accounts.goOffline(accountId),

    async chooseCredentialStore({ kind }) {
      await credentials.choose(kind);
      const waiting = [...context.saveWhenDecided];
      context.saveWhenDecided.clear();
      if (kind === "none") return;
      // Passwords typed while Wren did not know where to keep them are saved now, as asked.
      for (const accountId of waiting) {
        await accounts.update(accountId, { savePassword: true }).catch((error: unknown) =>
          log.warn("could not save a password in the chosen store", {
            accountId,
            error: errorName(error),
          }),
        );
      }
    },

    async setPresence({ accountId, show, status }) {
      const one = accountId !== undefined;
      const targets = one
        ? [requireAccount(context, accountId)]
        : accounts.accounts().filter((account) => account.enabled);
      await Promise.all(
        targets.map(async (account) => {
          context.presence.set(account.id, { show, status });
          const session = accounts.session(account.id);
          if (!session) {
            // Remembered for the account's next session; the UI shows it now.
            context.push({ type: "own-presence", accountId: account.id, show, status });
            return;
          }
          try {
            // Offline, the session remembers it for its next sign-in.
            await session.setPresence(show, status);
          } catch (error) {
            if (one) throw error;
            log.warn("could not set presence", { accountId: account.id, error: errorName(error) });
          }
        }),
      );
    },

    addContact: ({ accountId, jid, name }) =>
      requireOnline(context, accountId).addContact(jid, name),
    approveSubscription: ({ accountId, jid }) =>
      requireOnline(context, accountId).approveSubscription(jid),
    denySubscription: ({ accountId, jid }) =>
      requireOnline(context, accountId).denySubscription(jid),
  };
}
