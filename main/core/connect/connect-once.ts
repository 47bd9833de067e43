import type { Client, Element } from "@xmpp/client";
import type { Logger } from "../../shared/log";
import { tripwire } from "../../shared/timeouts";
import { createClient } from "../connection";
import { tlsRequiredError } from "../errors";
import type { JidParts } from "../jid";
import type { Outbox } from "../outbox";
import { probeServer } from "../probe";
import { StanzaGate, type StanzaRouter } from "../router";
import type { SessionOptions } from "../session-api";
import {
  countEveryStanza,
  onceResumed,
  restoreResumption,
  type Resumption,
} from "../stream-resumption";
import type { WrenEntity } from "../transport/create-entity";
import { requireOwnJid, type SignInRecord } from "./sign-in-record";

export interface ConnectOnce {
  /** One of the URIs from resolveEndpoints(). */
  service: string;
  account: JidParts;
  /** The account's bare JID. */
  jid: string;
  resource: string;
  options: Pick<
    SessionOptions,
    "password" | "clientCertificate" | "security" | "userAgentId" | "createClient"
  >;
  record: SignInRecord;
  router: StanzaRouter;
  /** The lost stream to resume (XEP-0198), if any. */
  resumption: Resumption | null;
  /** Makes the new entity the session's live one and wires its events; `fail` ends the attempt. */
  adopt: (entity: Client, fail: (error: unknown) => void) => void;
  /** Throws when stop() or another attempt superseded this one. */
  assertCurrent: () => void;
  outboxOf: (entity: Client) => Outbox;
  log: Logger;
}

/**
 * One sign-in attempt at one endpoint: TLS, SASL, binding or resumption, the last checks, then the
 * features. Resolves with true when it resumed the lost stream instead of starting anew.
 */
export async function connectOnce(attempt: ConnectOnce): Promise<boolean> {
  const { account, jid, options, record, router, resumption } = attempt;
  const failed = tripwire();
  const gate = new StanzaGate();
  const entity = (options.createClient ?? createClient)({
    local: account.local,
    domain: account.domain,
    password: options.clientCertificate ? "" : (options.password ?? ""),
    clientCertificate: options.clientCertificate ?? null,
    resource: attempt.resource,
    service: attempt.service,
    trustedCertificate: options.security?.trustedCertificate ?? null,
    mechanismPin: record.mechanismPin,
    onInsecure: failed.trip,
    onAuthenticated: (outcome) => {
      record.authenticated(entity, outcome);
      gate.hold();
    },
    fast: record.fast(),
    userAgentId: options.userAgentId,
  });
  countEveryStanza(entity);
  if (resumption) restoreResumption(entity, resumption);
  // Whatever the server acknowledged, it has: even from an attempt that is superseded later.
  entity.streamManagement.on("ack", (stanza: Element) => router.acknowledged(stanza));
  router.attach(entity as WrenEntity, gate);
  attempt.adopt(entity, failed.trip);

  // Each step also ends the attempt when it fails, or when stop()/start() superseded it meanwhile.
  const step = async <T>(work: Promise<T>) => {
    const result = await Promise.race([work, failed.promise]);
    attempt.assertCurrent();
    return result;
  };
  // entity.start() would do these three, but it creates its "online" promise before opening the
  // stream and leaves it unhandled when the stream fails early; failures reach us via `failed`.
  // A resumed stream does not bind again, so it never emits "online".
  const online = new Promise<boolean>((resolve) => {
    entity.once("online", () => resolve(false));
    onceResumed(entity, () => resolve(true));
  });
  await step(entity.connect(attempt.service));
  await step(entity.open({ domain: account.domain }));
  const resumed = await step(online);
  if (!entity.isSecure()) throw tlsRequiredError(account.domain);
  requireOwnJid(entity, jid);
  // Secure, authenticated, bound and ours: from here on the features may hear this stream.
  gate.open();
  attempt.log.info(resumed ? "stream resumed" : "stream bound", { account: jid });
  // Resumed: the server kept roster, presence and our unacknowledged stanzas' place in line
  // (xmpp.js sent those again). Otherwise this is a new session and the features start afresh.
  await step(router.online({ resumed }, attempt.outboxOf(entity)));
  if (resumed) return true;
  // The server handles our stanzas in order: once it answers this, our presence is in effect, so
  // messages sent to us from here on are delivered live, not stored offline and marked delayed.
  // What the lost stream never got acknowledged is sent again by the chat feature, from the
  // messages it keeps (also after a restart), not from xmpp.js's queue.
  await step(probeServer(entity, account.domain, new AbortController().signal));
  return false;
}
