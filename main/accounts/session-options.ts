import { createHash } from "node:crypto";
import { parseClientCertificate, type ClientCertificate } from "../core/auth/client-certificate";
import type { SessionOptions } from "../core/session-api";
import { WrenError } from "../shared/errors";
import type { Entry } from "./account-registry";
import type { AccountSettings } from "./settings-file";

/**
 * What a session of the account is made from. `secret` is the password, or the stored client
 * certificate of a certificate account.
 */
export function sessionOptions(
  entry: Pick<Entry, "settings" | "state" | "fastToken">,
  secret: string,
): SessionOptions {
  const { settings, state, fastToken } = entry;
  return {
    jid: settings.jid,
    state,
    fastToken,
    userAgentId: userAgentIdOf(settings.id),
    ...credentialsFor(settings, secret),
    host: settings.host,
    port: settings.port,
    directTls: settings.directTls,
    resource: settings.resource,
    priority: settings.priority,
    security: {
      ...(settings.trustedCertificate && { trustedCertificate: settings.trustedCertificate }),
      ...(settings.mechanismPin && { mechanismPin: { ...settings.mechanismPin } }),
    },
  };
}

/** XEP-0388 wants one stable id per account and device; derived from the account's random id. */
function userAgentIdOf(accountId: string): string {
  const hex = createHash("sha256").update(`wren-user-agent:${accountId}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function credentialsFor(
  settings: AccountSettings,
  secret: string,
): { password: string } | { clientCertificate: ClientCertificate } {
  if (settings.authentication !== "client-certificate") return { password: secret };
  const clientCertificate = parseClientCertificate(secret);
  if (!clientCertificate) {
    throw new WrenError(
      "auth-failed",
      `The saved client certificate of ${settings.jid} cannot be read. Choose the certificate again.`,
    );
  }
  return { clientCertificate };
}
