// Plain Maps/Sets: bookkeeping no template reads directly, or values replaced wholesale.
/* eslint-disable svelte/prefer-svelte-reactivity */
import type {
  AccountSummary,
  CredentialStatus,
  CredentialStoreKind,
  Show,
} from "../../../preload/contract";

export interface OwnPresence {
  show: Show;
  status: string;
}

export interface SubscriptionRequest {
  accountId: string;
  jid: string;
}

const DEFAULT_PRESENCE: OwnPresence = { show: "online", status: "" };
/** How many distinct account colours the stylesheet defines (`.account-colour-0` …). */
export const ACCOUNT_COLOURS = 6;

/** The accounts, their own presence and subscription requests, and where passwords are saved. */
export class AccountsState {
  #accounts = $state.raw<readonly AccountSummary[]>([]);
  #ownPresence = $state.raw<ReadonlyMap<string, OwnPresence>>(new Map());
  #requests = $state.raw<readonly SubscriptionRequest[]>([]);
  #credentials = $state.raw<CredentialStatus>({ kind: null, ask: null });
  #settingsProblem = $state<string | null>(null);
  /** Colours follow the order accounts were first seen, so they stay put when one is removed. */
  #colours = new Map<string, number>();

  #anyOnline = $derived(this.#accounts.some((a) => a.state.state === "online"));

  get list(): readonly AccountSummary[] {
    return this.#accounts;
  }

  get count(): number {
    return this.#accounts.length;
  }

  get anyOnline(): boolean {
    return this.#anyOnline;
  }

  get credentials(): CredentialStatus {
    return this.#credentials;
  }

  get settingsProblem(): string | null {
    return this.#settingsProblem;
  }

  get requests(): readonly SubscriptionRequest[] {
    return this.#requests;
  }

  get(id: string): AccountSummary | undefined {
    return this.#accounts.find((account) => account.id === id);
  }

  /** The JID of an account, or its id when unknown (never shown in practice). */
  jidOf(id: string): string {
    return this.get(id)?.jid ?? id;
  }

  colourOf(id: string): number {
    let colour = this.#colours.get(id);
    if (colour === undefined) {
      colour = this.#colours.size % ACCOUNT_COLOURS;
      this.#colours.set(id, colour);
    }
    return colour;
  }

  ownPresence(id: string): OwnPresence {
    return this.#ownPresence.get(id) ?? DEFAULT_PRESENCE;
  }

  /** The presence the "all accounts" selector shows: the first online account's. */
  get commonPresence(): OwnPresence {
    const online = this.#accounts.find((a) => a.state.state === "online");
    return this.ownPresence((online ?? this.#accounts[0])?.id ?? "");
  }

  setAll(accounts: readonly AccountSummary[]): void {
    for (const account of accounts) this.colourOf(account.id);
    this.#accounts = accounts;
  }

  upsert(account: AccountSummary): void {
    this.colourOf(account.id);
    const index = this.#accounts.findIndex((a) => a.id === account.id);
    this.#accounts = index < 0 ? [...this.#accounts, account] : this.#accounts.with(index, account);
  }

  remove(id: string): void {
    this.#accounts = this.#accounts.filter((a) => a.id !== id);
    if (this.#ownPresence.has(id)) {
      const next = new Map(this.#ownPresence);
      next.delete(id);
      this.#ownPresence = next;
    }
    this.#requests = this.#requests.filter((r) => r.accountId !== id);
  }

  setOwnPresence(id: string, presence: OwnPresence): void {
    this.#ownPresence = new Map(this.#ownPresence).set(id, presence);
  }

  setRequests(id: string, jids: readonly string[]): void {
    const others = this.#requests.filter((r) => r.accountId !== id);
    const mine = [...new Set(jids)].map((jid) => ({ accountId: id, jid }));
    this.#requests = [...others, ...mine];
  }

  addRequest(id: string, jid: string): void {
    if (!this.#requests.some((r) => r.accountId === id && r.jid === jid)) {
      this.#requests = [...this.#requests, { accountId: id, jid }];
    }
  }

  resolveRequest(id: string, jid: string): void {
    if (this.#requests.some((r) => r.accountId === id && r.jid === jid)) {
      this.#requests = this.#requests.filter((r) => r.accountId !== id || r.jid !== jid);
    }
  }

  setCredentials(status: CredentialStatus): void {
    this.#credentials = status;
  }

  /** Main has no event for this: after a successful choice, the renderer records it itself. */
  credentialStoreChosen(kind: CredentialStoreKind): void {
    this.#credentials = { kind, ask: null };
  }

  setSettingsProblem(problem: string | null): void {
    this.#settingsProblem = problem;
  }
}
