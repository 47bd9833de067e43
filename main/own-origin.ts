/**
 * "Is this URL Wren's own page?" — asked by the navigation guard, the permission handlers and the
 * IPC sender check. Compared as scheme + host + port, computed here because Node's URL reports the
 * origin of any non-web scheme (app://wren) as "null".
 */
export function originOf(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null; // not a URL: no origin, so never one of ours
  }
  if (parsed.host === "") return null;
  return `${parsed.protocol}//${parsed.host}`;
}

export type IsOwnUrl = (url: string) => boolean;

export function createOwnUrlCheck(origins: readonly string[]): IsOwnUrl {
  const allowed = new Set(origins.map((origin) => originOf(origin)).filter((o) => o !== null));
  return (url) => {
    const origin = originOf(url);
    return origin !== null && allowed.has(origin);
  };
}
