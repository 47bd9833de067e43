import { vi } from "vitest";
import type {
  AccountData,
  AccountSummary,
  ChatMessage,
  ClientCertificatePick,
  ConversationSummary,
  CredentialStatus,
  RegistrationForm,
  ContactPresence,
  Envelope,
  RosterItem,
  SearchHit,
  Show,
  Snapshot,
  StagedFile,
  Transfer,
  WrenApi,
  WrenEvent,
} from "../../preload/contract";

export function ok<T>(value: T): Envelope<T> {
  return { ok: true, value };
}

export function fail(message: string, code: "auth-failed" | "internal" = "internal") {
  return { ok: false as const, error: { code, message } };
}

export function rosterItem(jid: string, name = ""): RosterItem {
  return { jid, name, groups: [], subscription: "both", pendingOut: false };
}

export function presence(jid: string, show: Show | null, status = ""): ContactPresence {
  return {
    jid,
    best: show === null ? null : { resource: "laptop", show, status, priority: 0 },
    resourceCount: show === null ? 0 : 1,
  };
}

let nextId = 1;
export function message(peer: string, body: string, overrides: Partial<ChatMessage> = {}) {
  return {
    id: `m${nextId++}`,
    peer,
    direction: "in",
    body,
    timestamp: Date.UTC(2024, 4, 1, 12, 0, nextId),
    delayed: false,
    state: overrides.direction === "out" ? "sent" : "received",
    ...overrides,
  } as ChatMessage;
}

/** Many contacts with deterministic names and a mix of presences. */
export function manyContacts(
  count: number,
  offset = 0,
): { roster: RosterItem[]; presence: ContactPresence[] } {
  const shows: (Show | null)[] = ["online", null, "away", null, "dnd", "xa", null, "chat"];
  const roster: RosterItem[] = [];
  const presences: ContactPresence[] = [];
  for (let i = offset; i < offset + count; i++) {
    const jid = `user${String(i).padStart(5, "0")}@example.org`;
    roster.push(rosterItem(jid, `Person ${i}`));
    presences.push(presence(jid, shows[i % shows.length] ?? null));
  }
  return { roster, presence: presences };
}

export const ME = "acc-me";
export const WORK = "acc-work";

export function account(
  id: string,
  jid: string,
  overrides: Partial<AccountSummary> = {},
): AccountSummary {
  return {
    id,
    jid,
    enabled: true,
    state: { state: "online", jid, error: null },
    needsPassword: false,
    trustedCertificate: null,
    authentication: "password",
    settings: { directTls: false, keepHistory: true },
    ...overrides,
  };
}

export function accountData(accountId: string, overrides: Partial<AccountData> = {}): AccountData {
  return {
    accountId,
    roster: [],
    presence: [],
    subscriptionRequests: [],
    ownPresence: { show: "online", status: "" },
    ...overrides,
  };
}

const KEYCHAIN: CredentialStatus = { kind: "keychain", ask: null };

/** One online account (me@example.org, id ME) whose data the overrides fill in. */
export function onlineSnapshot(overrides: Partial<AccountData> = {}): Snapshot {
  return {
    accounts: [account(ME, "me@example.org")],
    data: [accountData(ME, overrides)],
    credentials: KEYCHAIN,
    settingsProblem: null,
    transfers: [],
  };
}

/** Two online accounts: me@example.org (ME) and me@work.example (WORK). */
export function twoAccountSnapshot(
  me: Partial<AccountData> = {},
  work: Partial<AccountData> = {},
): Snapshot {
  return {
    accounts: [account(ME, "me@example.org"), account(WORK, "me@work.example")],
    data: [accountData(ME, me), accountData(WORK, work)],
    credentials: KEYCHAIN,
    settingsProblem: null,
    transfers: [],
  };
}

/** No account yet: the first-run screen. */
export const emptySnapshot: Snapshot = {
  accounts: [],
  data: [],
  credentials: KEYCHAIN,
  settingsProblem: null,
  transfers: [],
};

let nextTransfer = 1;
/** An upload (or, with `direction: "download"`, a download) as main reports it: running, at 0. */
export function transfer(overrides: Partial<Transfer> = {}): Transfer {
  return {
    id: `t${nextTransfer++}`,
    accountId: ME,
    peer: "alice@x.org",
    direction: "upload",
    name: "report.pdf",
    size: 1000,
    transferred: 0,
    rate: null,
    state: "running",
    error: null,
    messageId: null,
    savedName: null,
    canRetry: false,
    ...overrides,
  };
}

export type FakeApi = WrenApi & {
  /** Delivers a batch to every onEvents listener, as main would. */
  emit(events: WrenEvent[]): void;
  listenerCount(): number;
};

/** A WrenApi whose commands are vi.fn()s answering `ok`, with overridable replies. */
export function createFakeApi(snapshot: Snapshot = emptySnapshot): FakeApi {
  let nextToken = 1;
  const listeners = new Set<(events: WrenEvent[]) => void>();
  const added = (jid: string) => ok(account(`acc-${jid}`, jid));
  const find = (accountId: string) =>
    snapshot.accounts.find((a) => a.id === accountId) ?? account(accountId, "x@example.org");
  const existing = (accountId: string) => ok(find(accountId));
  const api = {
    snapshot: vi.fn(async () => ok(snapshot)),
    addAccount: vi.fn(async ({ jid }: { jid: string }) => added(jid)),
    updateAccount: vi.fn(async ({ accountId }: { accountId: string }) => existing(accountId)),
    setAccountEnabled: vi.fn(
      async ({ accountId, enabled }: { accountId: string; enabled: boolean }) =>
        ok({ ...find(accountId), enabled }),
    ),
    trustCertificate: vi.fn(
      async ({ accountId, fingerprint }: { accountId: string; fingerprint: string }) =>
        ok({
          ...find(accountId),
          trustedCertificate: fingerprint,
          state: { state: "connecting", jid: find(accountId).jid, error: null },
        } satisfies AccountSummary),
    ),
    forgetTrustedCertificate: vi.fn(async ({ accountId }: { accountId: string }) =>
      ok({ ...find(accountId), trustedCertificate: null } satisfies AccountSummary),
    ),
    acceptWeakerSignIn: vi.fn(async ({ accountId }: { accountId: string }) =>
      ok({
        ...find(accountId),
        state: { state: "connecting", jid: find(accountId).jid, error: null },
      } satisfies AccountSummary),
    ),
    removeAccount: vi.fn(async () => ok(undefined)),
    reconnect: vi.fn(async () => ok(undefined)),
    goOffline: vi.fn(async () => ok(undefined)),
    chooseCredentialStore: vi.fn(async () => ok(undefined)),
    fetchRegistrationForm: vi.fn(async () =>
      ok({
        formId: "form-1",
        form: { kind: "legacy", title: "", instructions: "", fields: [], url: null },
      } satisfies { formId: string; form: RegistrationForm }),
    ),
    submitRegistration: vi.fn(async () => added("new@example.org")),
    cancelRegistration: vi.fn(async () => ok(undefined)),
    pickClientCertificate: vi.fn(async () =>
      ok<ClientCertificatePick>({
        status: "ready",
        token: "cert-1",
        fileName: "alice.p12",
        subject: "CN=alice@example.org",
        validTo: "2030-01-01T12:00:00.000Z",
      }),
    ),
    discardClientCertificate: vi.fn(async () => ok(undefined)),
    setPresence: vi.fn(async () => ok(undefined)),
    addContact: vi.fn(async () => ok(undefined)),
    approveSubscription: vi.fn(async () => ok(undefined)),
    denySubscription: vi.fn(async () => ok(undefined)),
    sendMessage: vi.fn(async ({ to, body }: { to: string; body: string }) =>
      ok(message(to, body, { direction: "out", timestamp: Date.now() })),
    ),
    correctMessage: vi.fn(async ({ to, id, body }: { to: string; id: string; body: string }) =>
      ok(message(to, body, { id, direction: "out", editedAt: Date.now() })),
    ),
    sendChatState: vi.fn(async () => ok(undefined)),
    history: vi.fn(async () => ok([] as ChatMessage[])),
    conversations: vi.fn(async () => ok([] as ConversationSummary[])),
    markRead: vi.fn(async () => ok(undefined)),
    search: vi.fn(async () => ok([] as SearchHit[])),
    deleteHistory: vi.fn(async () => ok(undefined)),
    openExternal: vi.fn(async () => ok(undefined)),
    beginFile: vi.fn(async () => ok({ token: `file-${nextToken++}` })),
    appendFile: vi.fn(async () => ok(undefined)),
    finishFile: vi.fn(async ({ token }: { token: string }) =>
      ok<StagedFile>({ token, name: "file.bin", size: 0, mediaType: null }),
    ),
    discardFile: vi.fn(async () => ok(undefined)),
    sendFile: vi.fn(async ({ accountId, to }: { accountId: string; to: string }) =>
      ok(transfer({ accountId, peer: to })),
    ),
    cancelTransfer: vi.fn(async () => ok(undefined)),
    retryTransfer: vi.fn(async ({ id }: { id: string }) => ok(transfer({ id }))),
    dismissTransfer: vi.fn(async () => ok(undefined)),
    fileInfo: vi.fn(async () => ok({ size: null, mediaType: null })),
    filePreview: vi.fn(async () => ok(null)),
    downloadFile: vi.fn(
      async ({
        accountId,
        peer,
        messageId,
      }: {
        accountId: string;
        peer: string;
        messageId: string;
      }) => ok(transfer({ accountId, peer, messageId, direction: "download" })),
    ),
    openDownload: vi.fn(async () => ok(undefined)),
    showDownload: vi.fn(async () => ok(undefined)),
    onEvents(listener: (events: WrenEvent[]) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(events: WrenEvent[]) {
      for (const listener of listeners) listener(events);
    },
    listenerCount: () => listeners.size,
  };
  return api as unknown as FakeApi;
}
