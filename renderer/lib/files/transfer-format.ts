import type { Transfer } from "../../../preload/contract";

const UNITS = ["B", "KB", "MB", "GB", "TB"] as const;
const oneDecimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const percentFormat = new Intl.NumberFormat(undefined, { style: "percent" });

/** "0 B", "812 B", "1.5 KB", "23 MB", "1.2 GB" (1 KB = 1,024 bytes). */
export function formatBytes(bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  // Fractions only where they tell something: "1.5 MB", but "230 MB".
  const format = unit === 0 || value >= 100 ? whole : oneDecimal;
  return `${format.format(value)} ${UNITS[unit]}`;
}

/** "1.2 MB/s". */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** "5 s left", "3 min left", "1 h 5 min left". */
export function formatTimeLeft(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return `${s} s left`;
  const minutes = Math.ceil(s / 60);
  if (minutes < 60) return `${minutes} min left`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h left` : `${hours} h ${rest} min left`;
}

/** How much is done, 0 to 100 (whole numbers, 100 only once all of it is); null when the size is unknown. */
export function percentDone(transferred: number, size: number | null): number | null {
  if (size === null) return null;
  if (size === 0 || transferred >= size) return 100;
  return Math.min(99, Math.floor((transferred / size) * 100));
}

/** "45%", as the person's locale writes it. */
export function formatPercent(percent: number): string {
  return percentFormat.format(percent / 100);
}

/** Seconds until done at the current rate, or null when that cannot be told. */
export function secondsLeft(
  transfer: Pick<Transfer, "size" | "transferred" | "rate">,
): number | null {
  const { size, transferred, rate } = transfer;
  if (size === null || rate === null || rate <= 0) return null;
  return Math.max(0, size - transferred) / rate;
}

/** "4.5 MB of 10 MB", or "4.5 MB" when the size is unknown. */
export function formatAmount(transferred: number, size: number | null): string {
  return size === null
    ? formatBytes(transferred)
    : `${formatBytes(transferred)} of ${formatBytes(size)}`;
}

/**
 * The line under a progress bar: "45% · 4.5 MB of 10 MB · 1.2 MB/s · 5 s left", leaving out what
 * is not known yet.
 */
export function progressLine(transfer: Pick<Transfer, "size" | "transferred" | "rate">): string {
  const percent = percentDone(transfer.transferred, transfer.size);
  const left = secondsLeft(transfer);
  return [
    percent === null ? null : formatPercent(percent),
    formatAmount(transfer.transferred, transfer.size),
    transfer.rate === null ? null : formatRate(transfer.rate),
    left === null ? null : formatTimeLeft(left),
  ]
    .filter((part) => part !== null)
    .join(" · ");
}

/** What kind of file it is, briefly: "PDF", "PNG", or its media type when its name has no extension. */
export function fileTypeLabel(name: string, mediaType: string | null): string {
  const extension = /\.([A-Za-z0-9]{1,8})$/.exec(name)?.[1];
  if (extension) return extension.toUpperCase();
  return mediaType?.split(";")[0]?.trim() || "File";
}
