import type { ChatMessage } from "../../preload/contract";
import { dayKey, formatDay } from "./format";

/** Messages from the same side within this gap form a group. */
const GROUP_GAP_MS = 5 * 60_000;

/** One row of the timeline: a message, with the day's separator above it when a day begins. */
export interface TimelineItem {
  key: string;
  message: ChatMessage;
  /** The first of a group (a new day, the other side, or a pause): a little more room above. */
  first: boolean;
  /** "Today", "Monday, 3 March"… on the first message of each day; null on the others. */
  day: string | null;
}

/**
 * The rows of a timeline, one per message, oldest first. Day separators belong to the first
 * message of their day, so rows and messages stay one to one: loading older messages only ever
 * adds rows at the start, which keeps the virtual list's place.
 */
export function timelineItems(messages: readonly ChatMessage[], now: number): TimelineItem[] {
  const items: TimelineItem[] = [];
  let previous: ChatMessage | undefined;
  let previousDay = "";
  for (const message of messages) {
    const day = dayKey(message.timestamp);
    const newDay = day !== previousDay;
    const first =
      newDay ||
      previous?.direction !== message.direction ||
      message.timestamp - (previous?.timestamp ?? 0) > GROUP_GAP_MS;
    items.push({
      key: message.id,
      message,
      first,
      day: newDay ? formatDay(message.timestamp, now) : null,
    });
    previous = message;
    previousDay = day;
  }
  return items;
}
