import { asWrenError, errorName, WrenError } from "../shared/errors";
import { DONE } from "./account-registry";
import type { AccountsContext } from "./accounts-context";

/** AccountManager.remove: stops the session, deletes the saved secrets and forgets the account. */
export function createRemoveAccount(context: AccountsContext) {
  const { log, accounts, reports, settings: store, secrets, sessions } = context;

  return async function remove(id: string): Promise<void> {
    const entry = accounts.lookup(id);
    await accounts.operate(entry, async () => {
      const { jid, passwordStorage } = entry.settings;
      await sessions.stop(entry);
      try {
        await secrets.forget(id);
      } catch (error) {
        // Nothing was saved there for this account: an unreachable store does not matter.
        if ((passwordStorage ?? "none") !== "none") {
          reports.emitState(entry);
          throw new WrenError(
            "not-available",
            `${jid} was not removed, because its saved password could not be deleted: ${asWrenError(error).message}`,
          );
        }
      }
      await store.persist((saved) => saved.filter((account) => account.id !== id));
      entry.removed = true;
      entry.password = null;
      sessions.detach(entry);
      entry.session = null;
      accounts.entries.delete(id);
      if (context.removeLocalData) {
        await context.removeLocalData(id).catch((error: unknown) =>
          log.warn("could not delete a removed account's local data", {
            accountId: id,
            error: errorName(error),
          }),
        );
      }
      log.info("account removed", { accountId: id });
      reports.emit("accounts", { kind: "removed", accountId: id, account: null });
      return DONE;
    });
  };
}
