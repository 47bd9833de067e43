import { Buffer } from "node:buffer";

/** Words beyond this many are ignored: a search is a few words, not a document. */
export const MAX_SEARCH_WORDS = 32;

// unicode61 makes tokens of letters, numbers and private-use characters; anything else
// separates them. A word without any of them would be an empty phrase, which matches nothing.
const TOKEN_CHARACTER = /[\p{L}\p{N}\p{Co}]/u;

/**
 * The FTS5 MATCH expression for what a person typed, or null when it holds no word. Each word
 * becomes one FTS5 string (quoted, its quotes doubled), so nothing typed is read as FTS5 syntax:
 * `"`, `*`, `NEAR(`, `OR`, `-`, `:` are text. All words must occur, in any order, in the body.
 *
 * With an account (and conversation) the expression also requires the scope token the schema
 * indexes for it (0001-messages.ts, search_scope), so the index itself does the filtering.
 */
export function matchExpression(
  text: string,
  scope: { accountId?: string | undefined; conversation?: string | undefined } = {},
): string | null {
  const words = text
    .split(/\s+/u)
    .filter((word) => TOKEN_CHARACTER.test(word))
    .slice(0, MAX_SEARCH_WORDS);
  if (words.length === 0) return null;
  const body = `body : (${words.map(quote).join(" ")})`;
  if (scope.accountId === undefined) return body;
  const token =
    scope.conversation === undefined
      ? `a${hex(scope.accountId)}`
      : `c${hex(`${scope.accountId}\n${scope.conversation}`)}`;
  return `${body} AND search_scope : ${quote(token)}`;
}

function quote(word: string): string {
  return `"${word.replaceAll('"', '""')}"`;
}

// The same bytes as SQLite's hex() of the text (UTF-8); case does not matter to the tokenizer.
function hex(text: string): string {
  return Buffer.from(text, "utf8").toString("hex");
}
