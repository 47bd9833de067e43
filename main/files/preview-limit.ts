/** Images up to this size are fetched for their preview unless the person set otherwise. */
export const DEFAULT_MAX_PREVIEW_BYTES = 8 * 1024 * 1024;

/**
 * The largest image fetched by itself for its preview, from WREN_IMAGE_PREVIEW_MAX_BYTES: a
 * number of bytes, 0 to fetch none. Anything unreadable keeps the default (8 MiB).
 */
export function previewLimitFrom(value: string | undefined): number {
  if (value === undefined || !/^\d{1,12}$/.test(value.trim())) return DEFAULT_MAX_PREVIEW_BYTES;
  return Number(value.trim());
}
