const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "medium" });
const dayThisYear = new Intl.DateTimeFormat(undefined, {
  weekday: "long",
  month: "long",
  day: "numeric",
});
const dayOtherYear = new Intl.DateTimeFormat(undefined, { dateStyle: "long" });

/** A key that is equal for two timestamps on the same local calendar day. */
export function dayKey(timestamp: number): string {
  const d = new Date(timestamp);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

/**
 * Intl formatting is the dearest part of showing a message row; a timeline shows many rows of
 * the same minute or second, so each text is made once. Bounded: dropped whole when full.
 */
function remembered(format: (timestamp: number) => string, unitMs: number) {
  const texts = new Map<number, string>();
  return (timestamp: number): string => {
    const unit = Math.floor(timestamp / unitMs);
    let text = texts.get(unit);
    if (text === undefined) {
      if (texts.size >= 5_000) texts.clear();
      text = format(unit * unitMs);
      texts.set(unit, text);
    }
    return text;
  };
}

export const formatTime = remembered((timestamp) => timeFormat.format(timestamp), 60_000);

export const formatFull = remembered((timestamp) => fullFormat.format(timestamp), 1_000);

/** "Today", "Yesterday", "Monday, 3 March" or "3 March 2023", relative to `now`. */
export function formatDay(timestamp: number, now = Date.now()): string {
  const key = dayKey(timestamp);
  if (key === dayKey(now)) return "Today";
  const yesterday = new Date(now);
  yesterday.setDate(yesterday.getDate() - 1);
  if (key === dayKey(yesterday.getTime())) return "Yesterday";
  const sameYear = new Date(timestamp).getFullYear() === new Date(now).getFullYear();
  return (sameYear ? dayThisYear : dayOtherYear).format(timestamp);
}

const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: "long",
  timeStyle: "short",
});

/** An ISO 8601 date in the person's locale, or null when there is none or it cannot be read. */
export function formatDateTime(iso: string): string | null {
  if (iso === "") return null;
  const time = Date.parse(iso);
  return Number.isNaN(time) ? null : dateTimeFormat.format(time);
}

const shortDate = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
const shortOtherYear = new Intl.DateTimeFormat(undefined, { dateStyle: "short" });

/** A time for a list: "14:05" today, "3 Mar" this year, "03/03/2023" before. */
export function formatShort(timestamp: number, now = Date.now()): string {
  if (dayKey(timestamp) === dayKey(now)) return formatTime(timestamp);
  const sameYear = new Date(timestamp).getFullYear() === new Date(now).getFullYear();
  return (sameYear ? shortDate : shortOtherYear).format(timestamp);
}

/** A message as one line of a preview: its first line, at most `max` characters. */
export function previewText(body: string, max = 120): string {
  const line = body.trimStart().split("\n", 1)[0] ?? "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
