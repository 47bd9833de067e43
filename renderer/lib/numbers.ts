/**
 * A whole number typed into a form field: undefined when the field was left empty, null when it is
 * not a whole number from `min` to `max`.
 */
export function parseInteger(value: string, min: number, max: number): number | undefined | null {
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  const parsed = Number(trimmed);
  return Number.isInteger(parsed) && parsed >= min && parsed <= max ? parsed : null;
}

export const PORT_PROBLEM = "Enter a port between 1 and 65535";

/** The port of the server settings (see ServerFields), read like `parseInteger`. */
export function parsePort(value: string): number | undefined | null {
  return parseInteger(value, 1, 65535);
}
