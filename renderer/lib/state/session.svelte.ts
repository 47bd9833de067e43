import type { SessionState, Show } from "../../../preload/contract";

const OFFLINE: SessionState = { state: "offline", jid: null, error: null };

/** The account's connection, its own presence and the subscription requests waiting for it. */
export class SessionStore {
  #session = $state.raw<SessionState>(OFFLINE);
  #ownPresence = $state.raw<{ show: Show; status: string }>({ show: "online", status: "" });
  #requests = $state.raw<readonly string[]>([]);
  /** Whether this account has been online since it signed in: decides sign-in form vs main screen. */
  #established = $state(false);

  get session(): SessionState {
    return this.#session;
  }

  get state(): SessionState["state"] {
    return this.#session.state;
  }

  get jid(): string | null {
    return this.#session.jid;
  }

  get online(): boolean {
    return this.#session.state === "online";
  }

  /** Signed in, possibly reconnecting: the main screen (with a banner) rather than the form. */
  get established(): boolean {
    return this.#established;
  }

  get ownPresence(): { show: Show; status: string } {
    return this.#ownPresence;
  }

  get requests(): readonly string[] {
    return this.#requests;
  }

  /** `hasRoster` lets a reloaded window that finds a reconnecting session show the main screen. */
  setSession(session: SessionState, hasRoster = false): void {
    const previousJid = this.#session.jid;
    this.#session = session;
    if (session.state === "online") this.#established = true;
    else if (session.state === "offline" || session.jid !== previousJid) this.#established = false;
    if (hasRoster && session.state !== "offline") this.#established = true;
  }

  setOwnPresence(show: Show, status: string): void {
    this.#ownPresence = { show, status };
  }

  setRequests(jids: readonly string[]): void {
    this.#requests = jids.filter((jid, index) => jids.indexOf(jid) === index);
  }

  addRequest(jid: string): void {
    if (!this.#requests.includes(jid)) this.#requests = [...this.#requests, jid];
  }

  resolveRequest(jid: string): void {
    if (this.#requests.includes(jid)) this.#requests = this.#requests.filter((j) => j !== jid);
  }
}
