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

export function formatTime(timestamp: number): string {
  return timeFormat.format(timestamp);
}

export function formatFull(timestamp: number): string {
  return fullFormat.format(timestamp);
}

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
