import type { SearchHit, WrenApi } from "../../../preload/contract";

/** Results asked for at once; scrolling the results asks for the next ones. */
export const SEARCH_PAGE = 30;

/** Where to search: every conversation, or one. */
export type SearchScope = { accountId: string; peer: string } | null;

/**
 * Full-text search over the messages kept on this computer, newest first: the box's text, the
 * scope, and the results found so far. Replies to an older query are dropped, so typing fast
 * never shows results for text no longer in the box.
 */
export class SearchState {
  readonly #api: WrenApi;
  /** Whether the search panel is showing. */
  open = $state(false);
  query = $state("");
  #scope = $state.raw<SearchScope>(null);
  #results = $state.raw<readonly SearchHit[]>([]);
  /** The text the results are for; null before any search. */
  #searched = $state<string | null>(null);
  #loading = $state(false);
  #hasMore = $state(false);
  #error = $state<string | null>(null);
  #generation = 0;

  constructor(api: WrenApi) {
    this.#api = api;
  }

  get scope(): SearchScope {
    return this.#scope;
  }

  get results(): readonly SearchHit[] {
    return this.#results;
  }

  get searched(): string | null {
    return this.#searched;
  }

  get loading(): boolean {
    return this.#loading;
  }

  get hasMore(): boolean {
    return this.#hasMore;
  }

  get error(): string | null {
    return this.#error;
  }

  /** Opens the panel over `scope`; the results stay when the scope did not change. */
  show(scope: SearchScope): void {
    const changed = !sameScope(scope, this.#scope);
    this.#scope = scope;
    this.open = true;
    if (changed && this.query.trim() !== "") void this.run();
  }

  hide(): void {
    this.open = false;
  }

  setScope(scope: SearchScope): void {
    if (sameScope(scope, this.#scope)) return;
    this.#scope = scope;
    if (this.query.trim() !== "") void this.run();
  }

  /** Searches for the box's text from the newest message on. */
  async run(): Promise<void> {
    const text = this.query.trim();
    const generation = ++this.#generation;
    if (text === "") {
      this.#results = [];
      this.#searched = null;
      this.#hasMore = false;
      this.#error = null;
      this.#loading = false;
      return;
    }
    await this.#fetch(text, generation, []);
  }

  /** The next results, older than the last one shown. */
  async more(): Promise<void> {
    const last = this.#results.at(-1);
    if (this.#loading || !this.#hasMore || !last || this.#searched === null) return;
    await this.#fetch(this.#searched, this.#generation, this.#results, last.message.id);
  }

  async #fetch(
    text: string,
    generation: number,
    shown: readonly SearchHit[],
    before?: string,
  ): Promise<void> {
    this.#loading = true;
    this.#error = null;
    const scope = this.#scope;
    const reply = await this.#api.search({
      text,
      limit: SEARCH_PAGE,
      ...(scope && { accountId: scope.accountId, peer: scope.peer }),
      ...(before !== undefined && { before }),
    });
    if (generation !== this.#generation) return;
    this.#loading = false;
    this.#searched = text;
    if (!reply.ok) {
      this.#error = reply.error.message;
      this.#hasMore = false;
      return;
    }
    this.#results = [...shown, ...reply.value];
    this.#hasMore = reply.value.length >= SEARCH_PAGE;
  }
}

function sameScope(a: SearchScope, b: SearchScope): boolean {
  return a === b || (a !== null && b !== null && a.accountId === b.accountId && a.peer === b.peer);
}
