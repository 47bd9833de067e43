import { client, xml, type Client, type Element } from "@xmpp/client";
import { inject } from "vitest";
import type { TestAccount } from "./setup/accounts";

export type RawClient = Client & { iqCaller: { request(el: Element): Promise<Element> } };

/** xmpp.js's own client, signed in and available: someone who sends whatever a test scripts. */
export async function rawClient(account: TestAccount, resource?: string): Promise<RawClient> {
  const server = inject("xmpp");
  const [username] = account.jid.split("@");
  const raw = client({
    service: `xmpp://${server.host}:${server.c2sPort}`,
    domain: server.domain,
    username,
    password: account.password,
    ...(resource && { resource }),
  }) as RawClient;
  raw.reconnect.stop();
  raw.on("error", () => {});
  await raw.start();
  await raw.send(xml("presence"));
  return raw;
}
