import { segmentText } from "../renderer/lib/linkify";

// Link detection on message bodies built to be slow (issue #8): Wren's segmentText against the
// pre-fix version it replaced (below), which was quadratic. Any contact can send such a body, and
// the renderer segments it again each time the conversation is shown. The pre-fix version runs
// once per size and only on small bodies: at n = 40,000 it takes seconds.

export const PRE_FIX_SIZES = [5_000, 20_000];
export const FIXED_SIZES = [20_000, 40_000, 1_000_000];
/** Wren's target at some of FIXED_SIZES, in CPU ms: linear, so 25 times the size, 25 times the time. */
export const TARGET_MS = new Map([
  [40_000, 10],
  [1_000_000, 250],
]);
const FIXED_RUNS = 5;

/** A body with n repetitions of something hostile. */
export const SHAPES: { name: string; body: (n: number) => string }[] = [
  { name: "`http://a` + n × `)`", body: (n) => "http://a" + ")".repeat(n) },
  { name: "`http://a/` + n × `]`", body: (n) => "http://a/" + "]".repeat(n) },
  { name: "`http://a/x` + n × `.)`", body: (n) => "http://a/x" + ".)".repeat(n) },
  { name: "`http://a/` + n × `.` + `x`", body: (n) => "http://a/" + ".".repeat(n) + "x" },
  { name: "`http://a/` + n × `,` + `x`", body: (n) => "http://a/" + ",".repeat(n) + "x" },
  { name: "`http://a/` + n × `(`", body: (n) => "http://a/" + "(".repeat(n) },
  { name: "n × `http://`", body: (n) => "http://".repeat(n) },
];

export interface LinkifyTimes {
  name: string;
  /** CPU ms of the pre-fix version, one run per size in PRE_FIX_SIZES. */
  preFix: number[];
  /** CPU ms of Wren's version, median of FIXED_RUNS per size in FIXED_SIZES. */
  fixed: number[];
  /** Whether every target in TARGET_MS was met. */
  pass: boolean;
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function timed<T>(run: () => T): { ms: number; result: T } {
  const start = cpuMs();
  const result = run();
  return { ms: cpuMs() - start, result };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export function linkifyTimes(): LinkifyTimes[] {
  // Warm both up, so that neither pays for compilation in a measured run.
  for (let round = 0; round < 20; round++) {
    for (const shape of SHAPES) {
      preFixSegmentText(shape.body(200));
      segmentText(shape.body(200));
    }
  }
  return SHAPES.map(({ name, body }) => {
    const preFix = PRE_FIX_SIZES.map((n) => {
      const { ms, result } = timed(() => preFixSegmentText(body(n)));
      if (JSON.stringify(segmentText(body(n))) !== JSON.stringify(result)) {
        throw new Error(`the two versions disagree on ${name} at n = ${n}`);
      }
      return ms;
    });
    const fixed = FIXED_SIZES.map((n) => {
      const text = body(n);
      return median(Array.from({ length: FIXED_RUNS }, () => timed(() => segmentText(text)).ms));
    });
    const pass = FIXED_SIZES.every((n, i) => fixed[i]! < (TARGET_MS.get(n) ?? Infinity));
    return { name, preFix, fixed, pass };
  });
}

// ---------------------------------------------------------------------------------------------
// PRE-FIX VERSION, kept only as the baseline: renderer/lib/linkify.ts's segmentText before the fix
// for issue #8. trimLink recounts brackets over the whole link once per trailing ")" and its
// trailing-punctuation regex backtracks over a run of "." that does not end the link: both
// quadratic. Do not use it anywhere else.

type PreFixSegment = { kind: "text"; text: string } | { kind: "link"; text: string; href: string };

const LINK_CANDIDATE = /\b(?:https?:\/\/|mailto:)[^\s<>"]+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?'"*_]+$/;
const SAFE_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);

function preFixSafeHref(candidate: string): string | null {
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  if (!SAFE_PROTOCOLS.has(url.protocol)) return null;
  if (url.protocol !== "mailto:" && url.hostname === "") return null;
  if (url.protocol === "mailto:" && url.pathname === "") return null;
  return url.href;
}

export function preFixSegmentText(body: string): PreFixSegment[] {
  const segments: PreFixSegment[] = [];
  let textStart = 0;
  for (const match of body.matchAll(LINK_CANDIDATE)) {
    const start = match.index;
    const raw = trimLink(match[0]);
    const href = preFixSafeHref(raw);
    if (!href) continue;
    if (start > textStart) segments.push({ kind: "text", text: body.slice(textStart, start) });
    segments.push({ kind: "link", text: raw, href });
    textStart = start + raw.length;
  }
  if (textStart < body.length) segments.push({ kind: "text", text: body.slice(textStart) });
  return segments;
}

function trimLink(raw: string): string {
  let link = raw;
  for (;;) {
    const trimmed = link.replace(TRAILING_PUNCTUATION, "");
    const last = trimmed.at(-1);
    const open = last === ")" ? "(" : last === "]" ? "[" : last === "}" ? "{" : null;
    if (open && count(trimmed, open) < count(trimmed, last as string)) {
      link = trimmed.slice(0, -1);
      continue;
    }
    return trimmed;
  }
}

function count(text: string, char: string): number {
  let n = 0;
  for (const c of text) if (c === char) n++;
  return n;
}
