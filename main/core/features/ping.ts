import type { Feature, IqRoute } from "./feature";

const NS_PING = "urn:xmpp:ping";

/** Answers XEP-0199 pings, so servers and contacts can tell the link is alive. */
export class Ping implements Feature {
  readonly name = "ping";
  readonly discoFeatures = [NS_PING];
  readonly iq: readonly IqRoute[] = [
    { type: "get", ns: NS_PING, name: "ping", handle: () => true },
  ];
}
