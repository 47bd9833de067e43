// What the timeline benchmark's two processes share: its settings and the figures the page
// measures (bench/timeline-probe.js), in milliseconds.

export const BIG = 10_000;
export const SMALL = 10;
export const SCROLL_BACK = 1_000;
/** How far the timeline scrolls up each frame: a fast reader flinging the wheel. */
export const SCROLL_STEP_PX = 600;
export const ROUNDS = 3;
export const VIEWPORT = { width: 1200, height: 780 };
/** The test CA and server certificate (test/setup/certs.ts), shared with the tests. */
export const CERT_DIR = "test-output/tls";

interface Tasks {
  /** The longest task over 50 ms (the Long Tasks API reports no shorter ones); 0 if none. */
  longestTask: number;
  /** All tasks over 50 ms added up: the time the page could not answer the person. */
  frozen: number;
  longTasks: number;
}

export interface OpenResult extends Tasks {
  error?: string;
  /** From the click's pointerdown to the paint of the first frame showing the newest message. */
  ms: number;
  /** Elements in the timeline (role "log") half a second later. */
  elements: number;
}

export interface ScrollResult extends Tasks {
  /** Set when the timeline did not get there in time; `reached` says how far it got. */
  error?: string;
  reached?: number;
  ms: number;
  /** The longest time between two frames. */
  longestFrame: number;
  frames: number;
  /** How far the timeline was scrolled, in CSS pixels. */
  distance: number;
  /** The most elements the timeline held on the way. */
  maxElements: number;
  /** How often a "load older" button had to be pressed. */
  presses: number;
}

export interface TimelineResults {
  chromium: string;
  small: OpenResult[];
  big: OpenResult[];
  scroll: ScrollResult[];
  naive: OpenResult[];
  naiveScroll: ScrollResult[];
}
