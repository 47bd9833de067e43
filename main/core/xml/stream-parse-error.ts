/** RFC 6120 §4.9.3 stream-error conditions a parser violation can lead to. */
export type ParseCondition =
  "not-well-formed" | "restricted-xml" | "policy-violation" | "unsupported-encoding";

/**
 * What the server sent could not be accepted as an XMPP stream. `condition` is the stream error
 * Wren answers with; `text` says what was wrong, in words.
 */
export class StreamParseError extends Error {
  readonly condition: ParseCondition;
  readonly text: string;

  constructor(condition: ParseCondition, text: string) {
    super(`${condition}: ${text}`);
    this.name = "StreamParseError";
    this.condition = condition;
    this.text = text;
  }
}
