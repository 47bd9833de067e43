import type { ConnectionSecurity, ErrorCode, UserError } from "../../preload/contract";

/** Errors that can mean someone is attacking the connection: shown as alarms, never as one line. */
const ALARMS: ReadonlySet<ErrorCode> = new Set([
  "certificate-changed",
  "auth-downgrade",
  "auth-server-unverified",
]);

export function isAlarm(error: UserError | null | undefined): boolean {
  return error != null && ALARMS.has(error.code);
}

/** An alarm, or a certificate the person may choose to trust: more than a line of error text. */
export function isSecurityProblem(error: UserError | null | undefined): error is UserError {
  return error != null && (error.code === "certificate-untrusted" || ALARMS.has(error.code));
}

/** "TLSv1.3 · SCRAM-SHA-256-PLUS (tls-exporter) · certificate trusted by you" */
export function securitySummary(security: ConnectionSecurity): string {
  const mechanism = security.channelBinding
    ? `${security.mechanism} (${security.channelBinding})`
    : security.mechanism;
  return [security.tls, mechanism, security.trustedByYou && "certificate trusted by you"]
    .filter(Boolean)
    .join(" · ");
}

/**
 * A colon-separated fingerprint cut into groups of `bytes` bytes, each but the last keeping its
 * trailing colon: joined, the groups are the fingerprint again; shown apart, they can be compared
 * group by group.
 */
export function fingerprintGroups(fingerprint: string, bytes = 4): string[] {
  const octets = fingerprint.split(":");
  const groups: string[] = [];
  for (let i = 0; i < octets.length; i += bytes) {
    const last = i + bytes >= octets.length;
    groups.push(octets.slice(i, i + bytes).join(":") + (last ? "" : ":"));
  }
  return groups;
}
