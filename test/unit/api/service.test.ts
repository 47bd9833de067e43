import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RegistrationForm, WrenEvent } from "../../../preload/contract";
import { createAccountManager } from "../../../main/accounts/account-manager";
import { createWrenService, type RegistrationFunctions } from "../../../main/api/service";
import { RegistrationError } from "../../../main/core/registration";
import type { XmppSession } from "../../../main/core/session-api";
import { createCredentialChoice } from "../../../main/credentials/credential-choice";
import type { KeychainProbe } from "../../../main/credentials/keytar-store";
import type { SafeStorageLike } from "../../../main/credentials/safe-storage-store";
import { fakeSessions, recordingStore, type Behaviour } from "../accounts/fake-sessions";
import { captureLog } from "../credentials/capture-log";
import { fakeSafeStorage } from "../credentials/fake-safe-storage";

const logLines = captureLog();
const dirs: string[] = [];
const services: { dispose(): Promise<void> }[] = [];

afterEach(async () => {
  await Promise.all(services.splice(0).map((service) => service.dispose()));
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

interface SetupOptions {
  behaviours?: Record<string, Behaviour | "throws">;
  keychain?: KeychainProbe;
  safeStorage?: SafeStorageLike | null;
  registration?: RegistrationFunctions;
  registrationTtlMs?: number;
  /** Written as accounts.json before start. */
  accountsFile?: string;
}

async function setup(options: SetupOptions = {}) {
  const dir = await mkdtemp(join(tmpdir(), "wren-service-"));
  dirs.push(dir);
  if (options.accountsFile !== undefined) {
    await writeFile(join(dir, "accounts.json"), options.accountsFile);
  }
  const sessions = fakeSessions(options.behaviours);
  const keychain = recordingStore();
  const credentials = createCredentialChoice({
    file: join(dir, "credentials.json"),
    safeStorageFile: join(dir, "passwords.json"),
    safeStorage: options.safeStorage ?? null,
    platform: "linux",
    probeKeychain: async () => options.keychain ?? { available: true },
    createKeychainStore: () => keychain,
  });
  // Every own presence a session is given, as "jid show status".
  const presenceCalls: string[] = [];
  const accounts = createAccountManager({
    settingsPath: join(dir, "accounts.json"),
    credentials: credentials.store,
    createSession: (sessionOptions) => {
      const session: XmppSession = sessions.createSession(sessionOptions);
      session.setPresence = async (show, status) => {
        presenceCalls.push(`${session.jid} ${show} ${status}`);
      };
      return session;
    },
  });
  const service = createWrenService({
    accounts,
    credentials,
    openExternal: async () => {},
    chooseCertificateFile: async () => null,
    eventWindowMs: 0,
    registration: options.registration,
    registrationTtlMs: options.registrationTtlMs,
  });
  services.push(service);
  const batches: WrenEvent[][] = [];
  service.onEvents((events) => batches.push(events));
  await service.start();
  const events = () => batches.flat();
  return {
    dir,
    service,
    handlers: service.handlers,
    sessions,
    keychain,
    batches,
    events,
    presenceCalls,
  };
}

const newAccount = (jid: string, extra: Record<string, unknown> = {}) => ({
  jid,
  password: `pw-of-${jid}`,
  directTls: false,
  savePassword: true,
  ...extra,
});

describe("createWrenService: accounts", () => {
  it("starts with an empty snapshot in the new shape", async () => {
    const { handlers } = await setup();
    expect(await handlers.snapshot({})).toEqual({
      accounts: [],
      data: [],
      credentials: { kind: "keychain", ask: null },
      settingsProblem: null,
      transfers: [],
    });
  });

  it("adds an account, signed in, and shows it and its data in the snapshot", async () => {
    const { handlers, keychain, events } = await setup();
    const account = await handlers.addAccount(
      newAccount("alice@example.org", { host: "xmpp.example.org", port: 5223, directTls: true }),
    );
    expect(account).toEqual({
      id: expect.any(String),
      jid: "alice@example.org",
      enabled: true,
      state: { state: "online", jid: "alice@example.org", error: null },
      needsPassword: false,
      trustedCertificate: null,
      authentication: "password",
      settings: { host: "xmpp.example.org", port: 5223, directTls: true, keepHistory: true },
    });
    expect(keychain.calls).toEqual([`set ${account.id}`]);
    const snapshot = await handlers.snapshot({});
    expect(snapshot.accounts).toEqual([account]);
    expect(snapshot.data).toEqual([
      {
        accountId: account.id,
        roster: [],
        presence: [],
        subscriptionRequests: [],
        ownPresence: { show: "online", status: "" },
      },
    ]);
    await vi.waitFor(() =>
      expect(events()).toContainEqual({
        type: "account",
        account: expect.objectContaining({ id: account.id }),
      }),
    );
  });

  it("updates an account (null clears a setting) and reconnects it", async () => {
    const { handlers, sessions } = await setup();
    const { id } = await handlers.addAccount(
      newAccount("alice@example.org", { host: "h.example" }),
    );
    const updated = await handlers.updateAccount({ accountId: id, host: null, resource: "laptop" });
    expect(updated.settings).toEqual({ directTls: false, resource: "laptop", keepHistory: true });
    expect(sessions.created).toHaveLength(2);
    expect(sessions.latest("alice@example.org").options).toMatchObject({ resource: "laptop" });
    expect(sessions.latest("alice@example.org").options.host).toBeUndefined();
  });

  it("adds an account that keeps no history, and turns keeping it on without reconnecting", async () => {
    const { handlers, sessions } = await setup();
    const added = await handlers.addAccount(
      newAccount("alice@example.org", { keepHistory: false }),
    );
    expect(added.settings.keepHistory).toBe(false);
    const updated = await handlers.updateAccount({ accountId: added.id, keepHistory: true });
    expect(updated.settings.keepHistory).toBe(true);
    expect((await handlers.snapshot({})).accounts[0]?.settings.keepHistory).toBe(true);
    expect(sessions.created).toHaveLength(1);
  });

  it("disables, re-enables, takes offline, reconnects and removes accounts", async () => {
    const { handlers, sessions, events } = await setup();
    const { id } = await handlers.addAccount(newAccount("alice@example.org"));
    expect((await handlers.setAccountEnabled({ accountId: id, enabled: false })).enabled).toBe(
      false,
    );
    expect(sessions.latest("alice@example.org").stops).toBe(1);
    const enabled = await handlers.setAccountEnabled({ accountId: id, enabled: true });
    expect(enabled.state.state).toBe("online");

    await handlers.goOffline({});
    expect((await handlers.snapshot({})).accounts[0]!.state.state).toBe("offline");
    await handlers.reconnect({ accountId: id });
    expect((await handlers.snapshot({})).accounts[0]!.state.state).toBe("online");

    await handlers.removeAccount({ accountId: id });
    expect((await handlers.snapshot({})).accounts).toEqual([]);
    await vi.waitFor(() =>
      expect(events()).toContainEqual({ type: "account-removed", accountId: id }),
    );
  });

  it("refuses commands for an unknown account with invalid-argument", async () => {
    const { handlers } = await setup();
    const unknown = { code: "invalid-argument", message: "Unknown account." };
    await expect(
      handlers.sendMessage({ accountId: "nope", to: "bob@example.org", body: "hi" }),
    ).rejects.toMatchObject(unknown);
    await expect(
      handlers.addContact({ accountId: "nope", jid: "bob@example.org" }),
    ).rejects.toMatchObject(unknown);
    await expect(
      handlers.history({ accountId: "nope", peer: "bob@example.org", limit: 10 }),
    ).rejects.toMatchObject(unknown);
    await expect(
      handlers.setPresence({ accountId: "nope", show: "away", status: "" }),
    ).rejects.toMatchObject(unknown);
    await expect(handlers.removeAccount({ accountId: "nope" })).rejects.toMatchObject({
      code: "invalid-argument",
    });
  });

  it("routes roster and chat commands to the named account's session", async () => {
    const { handlers, sessions } = await setup();
    const alice = await handlers.addAccount(newAccount("alice@example.org"));
    const bob = await handlers.addAccount(newAccount("bob@example.org"));
    const aliceSession = sessions.latest("alice@example.org");
    const bobSession = sessions.latest("bob@example.org");
    const aliceAdd = vi.spyOn(aliceSession, "addContact");
    const bobAdd = vi.spyOn(bobSession, "addContact");

    await handlers.addContact({ accountId: bob.id, jid: "carol@example.org", name: "Carol" });
    expect(bobAdd).toHaveBeenCalledExactlyOnceWith("carol@example.org", "Carol");
    expect(aliceAdd).not.toHaveBeenCalled();

    const approve = vi.spyOn(aliceSession, "approveSubscription");
    const deny = vi.spyOn(aliceSession, "denySubscription");
    await handlers.approveSubscription({ accountId: alice.id, jid: "dave@example.org" });
    await handlers.denySubscription({ accountId: alice.id, jid: "eve@example.org" });
    expect(approve).toHaveBeenCalledWith("dave@example.org");
    expect(deny).toHaveBeenCalledWith("eve@example.org");
  });

  it("refuses roster commands for an account that is not connected", async () => {
    const { handlers } = await setup();
    const { id } = await handlers.addAccount(newAccount("alice@example.org"));
    await handlers.goOffline({ accountId: id });
    await expect(
      handlers.addContact({ accountId: id, jid: "bob@example.org" }),
    ).rejects.toMatchObject({
      code: "not-signed-in",
      message: "alice@example.org is not connected.",
    });
  });

  it("reports a damaged accounts file in the snapshot, and still works", async () => {
    const { handlers } = await setup({ accountsFile: "{ not json" });
    const snapshot = await handlers.snapshot({});
    expect(snapshot.settingsProblem).toMatch(/damaged/);
    await expect(handlers.addAccount(newAccount("alice@example.org"))).resolves.toBeTruthy();
  });

  it("makes commands wait for start, so none acts before the accounts are read", async () => {
    const dir = await mkdtemp(join(tmpdir(), "wren-service-"));
    dirs.push(dir);
    let release!: (probe: KeychainProbe) => void;
    const credentials = createCredentialChoice({
      file: join(dir, "credentials.json"),
      safeStorageFile: join(dir, "passwords.json"),
      probeKeychain: () => new Promise((resolve) => (release = resolve)),
      createKeychainStore: () => recordingStore(),
    });
    const accounts = createAccountManager({
      settingsPath: join(dir, "accounts.json"),
      credentials: credentials.store,
      createSession: fakeSessions().createSession,
    });
    const service = createWrenService({
      accounts,
      credentials,
      openExternal: async () => {},
      chooseCertificateFile: async () => null,
    });
    services.push(service);
    void service.start();
    const snapshot = service.handlers.snapshot({});
    // Start is now stuck on the keychain probe; a snapshot that did not wait has long answered.
    await vi.waitFor(() => expect(release).toBeDefined());
    release({ available: true });
    await expect(snapshot).resolves.toMatchObject({ credentials: { kind: "keychain" } });
  });
});

describe("createWrenService: events", () => {
  it("tags every session event with its account and batches them", async () => {
    const { handlers, sessions, batches, events } = await setup();
    const alice = await handlers.addAccount(newAccount("alice@example.org"));
    const bob = await handlers.addAccount(newAccount("bob@example.org"));
    // Events come in order: once Bob's "online" is delivered, so is everything before it.
    await vi.waitFor(() =>
      expect(events()).toContainEqual({
        type: "account",
        account: expect.objectContaining({
          id: bob.id,
          state: expect.objectContaining({ state: "online" }),
        }),
      }),
    );
    batches.length = 0;
    const contact = (status: string) => ({
      jid: "carol@example.org",
      best: { resource: "r", show: "online" as const, status, priority: 0 },
      resourceCount: 1,
    });
    const a = sessions.latest("alice@example.org");
    const b = sessions.latest("bob@example.org");
    a.events.emit("presence", [contact("seen by alice")]);
    b.events.emit("presence", [contact("seen by bob")]);
    a.events.emit("roster", { upserted: [], removed: ["x@example.org"], reset: false });
    a.events.emit("ownPresence", { show: "away", status: "lunch" });
    b.emitMessage("hello");
    a.events.emit("subscriptionRequest", "dave@example.org");
    a.events.emit("subscriptionRequestResolved", "dave@example.org");
    await vi.waitFor(() => expect(events()).toHaveLength(7));
    expect(batches).toHaveLength(1);
    expect(events()).toEqual([
      { type: "presence", accountId: alice.id, contacts: [contact("seen by alice")] },
      { type: "presence", accountId: bob.id, contacts: [contact("seen by bob")] },
      {
        type: "roster",
        accountId: alice.id,
        upserted: [],
        removed: ["x@example.org"],
        reset: false,
      },
      { type: "own-presence", accountId: alice.id, show: "away", status: "lunch" },
      {
        type: "messages",
        accountId: bob.id,
        messages: [expect.objectContaining({ body: "hello" })],
      },
      { type: "subscription-request", accountId: alice.id, jid: "dave@example.org" },
      { type: "subscription-request-resolved", accountId: alice.id, jid: "dave@example.org" },
    ]);
  });

  it("forwards delivery changes, chat states, read marks and catch-up, and keeps catch-up for the snapshot", async () => {
    const { handlers, sessions, batches, events } = await setup();
    const alice = await handlers.addAccount(newAccount("alice@example.org"));
    await vi.waitFor(() =>
      expect(events()).toContainEqual({
        type: "account",
        account: expect.objectContaining({ state: expect.objectContaining({ state: "online" }) }),
      }),
    );
    batches.length = 0;
    const a = sessions.latest("alice@example.org");
    const change = { id: "m1", peer: "bob@example.org", state: "acked" as const };
    a.events.emit("messageChanges", [change]);
    a.events.emit("chatState", "bob@example.org", "composing");
    a.events.emit("conversationRead", "bob@example.org");
    a.events.emit("catchUp", { running: true, fetched: 1200 });
    await vi.waitFor(() => expect(events()).toHaveLength(4));
    expect(events()).toEqual([
      { type: "message-changes", accountId: alice.id, changes: [change] },
      { type: "chat-state", accountId: alice.id, peer: "bob@example.org", state: "composing" },
      { type: "conversation-read", accountId: alice.id, peer: "bob@example.org" },
      { type: "catch-up", accountId: alice.id, progress: { running: true, fetched: 1200 } },
    ]);
    // A page that starts during the catch-up learns of it from the snapshot.
    const during = await handlers.snapshot({});
    expect(during.data[0]?.catchUp).toEqual({ running: true, fetched: 1200 });
    a.events.emit("catchUp", { running: false, fetched: 1500, error: "The server stopped." });
    expect((await handlers.snapshot({})).data[0]?.catchUp).toEqual({
      running: false,
      fetched: 1500,
      error: "The server stopped.",
    });
    a.events.emit("catchUp", { running: false, fetched: 10 });
    expect((await handlers.snapshot({})).data[0]).not.toHaveProperty("catchUp");
  });

  it("sends an account event on every change of state", async () => {
    const { handlers, sessions, events } = await setup();
    const { id } = await handlers.addAccount(newAccount("alice@example.org"));
    sessions.latest("alice@example.org").lose();
    await vi.waitFor(() =>
      expect(events()).toContainEqual({
        type: "account",
        account: expect.objectContaining({
          id,
          state: expect.objectContaining({ state: "connecting" }),
        }),
      }),
    );
  });

  it("stops delivering events after dispose, and stops the sessions", async () => {
    const { service, handlers, sessions, batches } = await setup();
    await handlers.addAccount(newAccount("alice@example.org"));
    await service.dispose();
    const count = batches.length;
    vi.useFakeTimers();
    try {
      sessions.latest("alice@example.org").emitMessage("late");
      // Runs every timer (the batching window too) and what follows it: a delivery would show.
      await vi.runAllTimersAsync();
    } finally {
      vi.useRealTimers();
    }
    expect(batches).toHaveLength(count);
    expect(sessions.latest("alice@example.org").stops).toBe(1);
  });
});

describe("createWrenService: presence", () => {
  it("sets presence on every enabled account, or on one", async () => {
    const { handlers, presenceCalls } = await setup();
    const alice = await handlers.addAccount(newAccount("alice@example.org"));
    const bob = await handlers.addAccount(newAccount("bob@example.org"));
    await handlers.setAccountEnabled({ accountId: bob.id, enabled: false });
    presenceCalls.length = 0;

    await handlers.setPresence({ show: "dnd", status: "busy" });
    expect(presenceCalls).toEqual(["alice@example.org dnd busy"]);
    // Bob is disabled: not touched by "all".
    const snapshot = await handlers.snapshot({});
    expect(snapshot.data.find((d) => d.accountId === bob.id)!.ownPresence).toEqual({
      show: "online",
      status: "",
    });

    await handlers.setPresence({ accountId: alice.id, show: "away", status: "" });
    expect(presenceCalls.at(-1)).toBe("alice@example.org away ");
  });

  it("remembers presence for an account without a session and gives it to its next one", async () => {
    const { handlers, events, presenceCalls } = await setup();
    const { id } = await handlers.addAccount(newAccount("alice@example.org"));
    await handlers.setAccountEnabled({ accountId: id, enabled: false });
    await handlers.setPresence({ accountId: id, show: "xa", status: "away for a while" });
    const snapshot = await handlers.snapshot({});
    expect(snapshot.data[0]!.ownPresence).toEqual({ show: "xa", status: "away for a while" });
    await vi.waitFor(() =>
      expect(events()).toContainEqual({
        type: "own-presence",
        accountId: id,
        show: "xa",
        status: "away for a while",
      }),
    );
    presenceCalls.length = 0;
    await handlers.setAccountEnabled({ accountId: id, enabled: true });
    await vi.waitFor(() =>
      expect(presenceCalls).toEqual(["alice@example.org xa away for a while"]),
    );
    // A new session after a settings change starts with it too; a mere state change does not repeat it.
    await handlers.updateAccount({ accountId: id, resource: "desk" });
    await vi.waitFor(() => expect(presenceCalls).toHaveLength(2));
    await handlers.reconnect({ accountId: id });
    // A presence set after it is a marker: a repeat the reconnect caused would come before it.
    await handlers.setPresence({ accountId: id, show: "dnd", status: "marker" });
    expect(presenceCalls.slice(2)).toEqual(["alice@example.org dnd marker"]);
  });
});

const legacyForm: RegistrationForm = {
  kind: "legacy",
  title: "",
  instructions: "Choose a name and password",
  url: null,
  fields: ["username", "password"].map((name) => ({
    var: name,
    type: name === "password" ? ("text-private" as const) : ("text-single" as const),
    label: name,
    description: "",
    required: true,
    options: [],
    values: [],
  })),
};

function fakeRegistration(
  submit: (
    values: Record<string, string | string[]>,
  ) => Promise<{ jid: string | null }> = async () => ({
    jid: null,
  }),
) {
  const handles: { domain: string; cancels: number }[] = [];
  const functions = {
    fetch: vi.fn(async (target: { domain: string }) => {
      const handle = { domain: target.domain, cancels: 0 };
      handles.push(handle);
      return { form: legacyForm, handle };
    }),
    submit: vi.fn(async (_handle: unknown, values: Record<string, string | string[]>) =>
      submit(values),
    ),
    cancel: vi.fn(async (handle: { cancels: number }) => {
      handle.cancels++;
    }),
  };
  return { handles, functions: functions as RegistrationFunctions };
}

describe("createWrenService: registration", () => {
  const target = { domain: "example.org", directTls: false };
  const values = { username: "Newbie", password: "hunter2-secret" };

  it("fetches a form under a random id, submits it and adds the new account signed in", async () => {
    const registration = fakeRegistration();
    const { handlers, sessions } = await setup({ registration: registration.functions });
    const first = await handlers.fetchRegistrationForm({ ...target, host: "xmpp.example.org" });
    const second = await handlers.fetchRegistrationForm(target);
    expect(first.form).toEqual(legacyForm);
    expect(first.formId).toMatch(/^[A-Za-z0-9_-]{20,64}$/);
    expect(first.formId).not.toBe(second.formId);

    const account = await handlers.submitRegistration({
      formId: first.formId,
      values,
      savePassword: false,
    });
    expect(account).toMatchObject({
      jid: "newbie@example.org",
      state: { state: "online" },
      // Added with the defaults: it keeps its history, like any new account.
      settings: { host: "xmpp.example.org", directTls: false, keepHistory: true },
    });
    expect(sessions.latest("newbie@example.org").options.password).toBe("hunter2-secret");
    // Submitted once: the same form cannot be sent again.
    await expect(
      handlers.submitRegistration({ formId: first.formId, values, savePassword: false }),
    ).rejects.toMatchObject({ code: "invalid-argument" });
    expect(logLines.join("\n")).not.toContain("hunter2-secret");
    expect(logLines.join("\n")).not.toContain("Newbie");
  });

  it("carries a certificate trusted for the form over to the new account", async () => {
    const registration = fakeRegistration();
    const { handlers, sessions } = await setup({ registration: registration.functions });
    const trustedCertificate = Array.from({ length: 32 }, () => "AB").join(":");
    const { formId } = await handlers.fetchRegistrationForm({ ...target, trustedCertificate });
    expect(registration.functions.fetch).toHaveBeenCalledWith({
      ...target,
      host: undefined,
      port: undefined,
      trustedCertificate,
    });
    const account = await handlers.submitRegistration({ formId, values, savePassword: false });
    expect(account.trustedCertificate).toBe(trustedCertificate);
    expect(sessions.latest("newbie@example.org").options.security).toEqual({ trustedCertificate });
  });

  it("uses the JID the server confirmed, and data-form fields by their var", async () => {
    const registration = fakeRegistration(async () => ({ jid: "confirmed@example.org" }));
    const { handlers } = await setup({ registration: registration.functions });
    const { formId } = await handlers.fetchRegistrationForm(target);
    const account = await handlers.submitRegistration({
      formId,
      values: { username: ["confirmed"], password: ["pw-list"], email: "x@y" },
      savePassword: false,
    });
    expect(account.jid).toBe("confirmed@example.org");
  });

  it("keeps the form open after a taken name, and closes it after other failures", async () => {
    let answer: Error = new RegistrationError(
      "invalid-argument",
      "conflict",
      "That username is taken.",
    );
    const registration = fakeRegistration(async () => {
      throw answer;
    });
    const { handlers } = await setup({ registration: registration.functions });
    const { formId } = await handlers.fetchRegistrationForm(target);
    await expect(
      handlers.submitRegistration({ formId, values, savePassword: false }),
    ).rejects.toMatchObject({ message: "That username is taken." });
    expect(registration.handles[0]!.cancels).toBe(0);
    answer = new RegistrationError("not-available", "closed", "Closed.");
    await expect(
      handlers.submitRegistration({ formId, values, savePassword: false }),
    ).rejects.toMatchObject({ message: "Closed." });
    expect(registration.handles[0]!.cancels).toBe(1);
    expect(logLines.join("\n")).not.toContain("hunter2-secret");
  });

  it("cancels a form, and expires one left unanswered", async () => {
    const registration = fakeRegistration();
    const { handlers } = await setup({
      registration: registration.functions,
      registrationTtlMs: 30,
    });
    const { formId } = await handlers.fetchRegistrationForm(target);
    await handlers.cancelRegistration({ formId });
    expect(registration.handles[0]!.cancels).toBe(1);
    await expect(
      handlers.submitRegistration({ formId, values, savePassword: false }),
    ).rejects.toMatchObject({ code: "invalid-argument" });
    // Cancelling twice is harmless.
    await handlers.cancelRegistration({ formId });
    expect(registration.handles[0]!.cancels).toBe(1);

    const late = await handlers.fetchRegistrationForm(target);
    await vi.waitFor(() => expect(registration.handles[1]!.cancels).toBe(1));
    await expect(
      handlers.submitRegistration({ formId: late.formId, values, savePassword: false }),
    ).rejects.toMatchObject({ code: "invalid-argument" });
  });

  it("says so when the account was created but could not be added", async () => {
    const registration = fakeRegistration();
    const { handlers } = await setup({
      registration: registration.functions,
      behaviours: { "newbie@example.org": "auth-failed" },
    });
    const { formId } = await handlers.fetchRegistrationForm(target);
    await expect(
      handlers.submitRegistration({ formId, values, savePassword: true }),
    ).rejects.toMatchObject({
      code: "auth-failed",
      message: expect.stringContaining("newbie@example.org was created"),
    });
  });

  it("closes open forms on dispose", async () => {
    const registration = fakeRegistration();
    const { service, handlers } = await setup({ registration: registration.functions });
    await handlers.fetchRegistrationForm(target);
    await service.dispose();
    expect(registration.handles[0]!.cancels).toBe(1);
  });
});

describe("createWrenService: credential store", () => {
  const noKeychain: KeychainProbe = {
    available: false,
    reason: "No Secret Service (keychain) is running.",
    detail: "test",
  };

  it("asks when the keychain is unavailable, keeping passwords in memory meanwhile", async () => {
    const { handlers, keychain } = await setup({ keychain: noKeychain });
    const snapshot = await handlers.snapshot({});
    expect(snapshot.credentials).toEqual({
      kind: null,
      ask: { reason: "No Secret Service (keychain) is running.", options: ["none"] },
    });
    const account = await handlers.addAccount(newAccount("alice@example.org"));
    expect(account.needsPassword).toBe(false);
    expect(keychain.calls).toEqual([]);
  });

  it("refuses a choice that is not among the options", async () => {
    const { handlers, dir } = await setup({ keychain: noKeychain });
    await expect(handlers.chooseCredentialStore({ kind: "keychain" })).rejects.toMatchObject({
      code: "invalid-argument",
    });
    await expect(handlers.chooseCredentialStore({ kind: "safe-storage" })).rejects.toMatchObject({
      code: "invalid-argument",
    });
    await expect(readFile(join(dir, "credentials.json"), "utf8")).rejects.toThrow();
  });

  it("persists the choice, switches to it and saves passwords that were meant to be saved", async () => {
    const safeStorage = fakeSafeStorage();
    const { handlers, dir } = await setup({ keychain: noKeychain, safeStorage });
    expect((await handlers.snapshot({})).credentials.ask?.options).toEqual([
      "safe-storage",
      "none",
    ]);
    const saved = await handlers.addAccount(newAccount("alice@example.org"));
    await handlers.addAccount(newAccount("bob@example.org", { savePassword: false }));

    await handlers.chooseCredentialStore({ kind: "safe-storage" });
    expect(JSON.parse(await readFile(join(dir, "credentials.json"), "utf8"))).toEqual({
      version: 1,
      kind: "safe-storage",
    });
    expect((await handlers.snapshot({})).credentials).toEqual({ kind: "safe-storage", ask: null });
    const secrets = JSON.parse(await readFile(join(dir, "passwords.json"), "utf8")) as {
      secrets: Record<string, string>;
    };
    expect(Object.keys(secrets.secrets)).toEqual([saved.id]);
    expect(await readFile(join(dir, "passwords.json"), "utf8")).not.toContain("pw-of-alice");
    const accounts = JSON.parse(await readFile(join(dir, "accounts.json"), "utf8")) as {
      accounts: { jid: string; passwordStorage?: string }[];
    };
    expect(accounts.accounts.map((a) => [a.jid, a.passwordStorage])).toEqual([
      ["alice@example.org", "safe-storage"],
      ["bob@example.org", "none"],
    ]);
  });

  it("refuses to switch when Wren is not asking", async () => {
    const { handlers } = await setup();
    await expect(handlers.chooseCredentialStore({ kind: "none" })).rejects.toMatchObject({
      code: "invalid-argument",
    });
    await expect(handlers.chooseCredentialStore({ kind: "keychain" })).resolves.toBeUndefined();
  });
});
