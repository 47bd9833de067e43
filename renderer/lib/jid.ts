// Mirror the contract's rules so a form can say what is wrong before a round trip.
const BARE_JID = /^[^@/\s]+@[^@/\s]+$/;
const DOMAIN = /^[^@/\s]+$/;
const MAX_JID_LENGTH = 3071;

/** Returns a readable problem with `value` as a bare JID, or null when it looks right. */
export function bareJidProblem(value: string): string | null {
  const jid = value.trim();
  if (jid === "") return "Enter an address like name@example.org";
  if (jid.length > MAX_JID_LENGTH) return "That address is too long";
  if (!BARE_JID.test(jid)) return "Enter an address like name@example.org";
  return null;
}

/** Returns a readable problem with `value` as a server name, or null when it looks right. */
export function serverNameProblem(value: string): string | null {
  return DOMAIN.test(value.trim()) ? null : "Enter a server name like example.org";
}

/** The part before the @, or the whole JID for server addresses. */
export function localPart(jid: string): string {
  const at = jid.indexOf("@");
  return at > 0 ? jid.slice(0, at) : jid;
}

/** The part after the @ (the server), or the whole JID for server addresses. */
export function domainPart(jid: string): string {
  return jid.slice(jid.indexOf("@") + 1);
}
