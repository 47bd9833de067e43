import type { MechanismPin } from "../core/sasl/choose-mechanism";
import type { SessionEvents, XmppSession } from "../core/session-api";
import { errorName } from "../shared/errors";
import type { Logger } from "../shared/log";
import type { AccountReports } from "./account-reports";
import type { Entry } from "./account-registry";
import type { AccountSecrets } from "./account-secrets";
import type { AccountSettings } from "./settings-file";
import type { SettingsStore } from "./settings-store";

export type SessionEventForwarding = ReturnType<typeof createSessionEventForwarding>;

/** Passes a session's events on, tagged with its account, and keeps what its sign-ins learn. */
export function createSessionEventForwarding(deps: {
  log: Logger;
  reports: AccountReports;
  settings: SettingsStore;
  secrets: AccountSecrets;
}) {
  const { log, reports, settings, secrets } = deps;
  const { emit } = reports;

  /** Remembers a stronger SASL mechanism the account's server offered (see sasl/choose-mechanism). */
  function rememberPin(entry: Entry, pin: MechanismPin): void {
    const id = entry.settings.id;
    entry.settings = pinned(entry.settings, pin);
    settings
      .persistAccount(id, (account) => pinned(account, pin))
      .catch((error: unknown) =>
        log.warn("could not save the account's mechanism pin", {
          accountId: id,
          error: errorName(error),
        }),
      );
  }

  return {
    /** Forwards the session's events while it is the account's session. */
    attach(entry: Entry, session: XmppSession): void {
      const accountId = entry.settings.id;
      const current = () => entry.session === session && !entry.removed;
      const forward = <E extends keyof SessionEvents>(event: E, listener: SessionEvents[E]) => {
        try {
          entry.detach.push(session.on(event, listener));
        } catch (error) {
          log.warn("could not listen to a session", { accountId, event, error: errorName(error) });
        }
      };
      const report = (send: () => void) => {
        if (current()) reports.tell(entry, send);
      };
      forward("state", (state) =>
        report(() => {
          emit("state", { accountId, state: { ...state, jid: entry.settings.jid } });
          reports.emitState(entry);
        }),
      );
      forward("roster", (change) => report(() => emit("roster", { accountId, ...change })));
      forward("presence", (contacts) => report(() => emit("presence", { accountId, contacts })));
      forward("ownPresence", (own) => report(() => emit("ownPresence", { accountId, ...own })));
      forward("message", (message) => report(() => emit("message", { accountId, message })));
      forward("messageChanges", (changes) =>
        report(() => emit("messageChanges", { accountId, changes })),
      );
      forward("chatState", (peer, state) =>
        report(() => emit("chatState", { accountId, peer, state })),
      );
      forward("conversationRead", (peer) =>
        report(() => emit("conversationRead", { accountId, peer })),
      );
      forward("catchUp", (progress) => report(() => emit("catchUp", { accountId, progress })));
      forward("subscriptionRequest", (jid) =>
        report(() => emit("subscriptionRequest", { accountId, jid })),
      );
      forward("subscriptionRequestResolved", (jid) =>
        report(() => emit("subscriptionRequestResolved", { accountId, jid })),
      );
      forward("reconnected", ({ resumed }) =>
        report(() => emit("reconnected", { accountId, resumed })),
      );
      // An account being added is saved only if adding works; adding then keeps these with it.
      forward("mechanismPinned", (pin) => {
        if (!current()) return;
        if (entry.held) entry.settings = pinned(entry.settings, pin);
        else rememberPin(entry, pin);
      });
      forward("fastToken", (token) => {
        if (!current()) return;
        if (entry.held) entry.fastToken = token;
        else secrets.rememberFastToken(entry, token);
      });
    },

    detach(entry: Entry): void {
      for (const off of entry.detach.splice(0)) {
        try {
          off();
        } catch {
          // A session that cannot even unsubscribe is ignored from now on anyway (see current()).
        }
      }
    },
  };
}

function pinned(settings: AccountSettings, pin: MechanismPin): AccountSettings {
  const mechanismPin = { mechanism: pin.mechanism, channelBinding: pin.channelBinding };
  return { ...settings, mechanismPin } as AccountSettings;
}
