import { xml, type Element } from "@xmpp/client";
import type { Outbox } from "../../../main/core/outbox";

/** Records what a feature sends; iq requests get an empty result unless `reply` says otherwise. */
export function fakeOutbox(
  reply: (iq: Element) => Element | Error = () => xml("iq", { type: "result" }),
) {
  const sent: string[] = [];
  const outbox: Outbox = {
    async send(stanza) {
      sent.push(stanza.toString());
    },
    async request(iq) {
      sent.push(iq.toString());
      const answer = reply(iq);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return { outbox, sent };
}
