import { xml, type Element } from "@xmpp/client";
import type { Outbox } from "../../../../../main/core/outbox";
import { HEADER, parse } from "../../xml/parse";

/** One stanza from its XML text, through Wren's own stream parser (so xml:lang is as on the wire). */
export function stanza(text: string): Element {
  const { elements, errors } = parse(HEADER + text);
  if (errors.length > 0 || elements.length !== 1)
    throw new Error(`test XML not understood: ${text}`);
  return elements[0]!;
}

/** A disco#info result from `from` with the given children of its <query/>. */
export function infoResult(from: string, queryChildren: string, node?: string): Element {
  const nodeAttr = node ? ` node='${node}'` : "";
  return stanza(
    `<iq type='result' id='x' from='${from}'>` +
      `<query xmlns='http://jabber.org/protocol/disco#info'${nodeAttr}>${queryChildren}</query></iq>`,
  );
}

export function presence(from: string, caps?: { hash?: string; node?: string; ver: string }) {
  return xml(
    "presence",
    { from },
    caps &&
      xml("c", {
        xmlns: "http://jabber.org/protocol/caps",
        hash: caps.hash ?? "sha-1",
        node: caps.node ?? "http://code.google.com/p/exodus",
        ver: caps.ver,
      }),
  );
}

export interface PendingRequest {
  iq: Element;
  answer(result: Element | Error): void;
}

/** An Outbox whose requests wait until the test answers them. */
export function deferredOutbox() {
  const requests: PendingRequest[] = [];
  const outbox: Outbox = {
    async send() {},
    request(iq) {
      return new Promise<Element>((resolve, reject) => {
        requests.push({
          iq,
          answer: (result) => (result instanceof Error ? reject(result) : resolve(result)),
        });
      });
    },
  };
  return { outbox, requests };
}

/** An Outbox answering every request at once with `reply(iq)`, recording what it was asked. */
export function answeringOutbox(reply: (iq: Element) => Element | Error) {
  const requests: Element[] = [];
  const outbox: Outbox = {
    async send() {},
    async request(iq) {
      requests.push(iq);
      const answer = reply(iq);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return { outbox, requests };
}

export { captureLog } from "../../logger-double";

export const tick = () => new Promise((resolve) => setImmediate(resolve));

/** The XEP-0115 §5.2 simple example: Exodus 0.9.1. */
export const EXODUS_VER = "QgayPKawpkPSDYmwT/WM94uAlu0=";
export const EXODUS_QUERY =
  "<identity category='client' name='Exodus 0.9.1' type='pc'/>" +
  "<feature var='http://jabber.org/protocol/caps'/>" +
  "<feature var='http://jabber.org/protocol/disco#info'/>" +
  "<feature var='http://jabber.org/protocol/disco#items'/>" +
  "<feature var='http://jabber.org/protocol/muc'/>";

/** The XEP-0115 §5.3 complex example: Psi 0.11, two languages and a software-info form. */
export const PSI_VER = "q07IKJEyjvHSyhy//CH0CxmKi8w=";
export const PSI_QUERY =
  "<identity xml:lang='en' category='client' name='Psi 0.11' type='pc'/>" +
  "<identity xml:lang='el' category='client' name='&#936; 0.11' type='pc'/>" +
  "<feature var='http://jabber.org/protocol/caps'/>" +
  "<feature var='http://jabber.org/protocol/disco#info'/>" +
  "<feature var='http://jabber.org/protocol/disco#items'/>" +
  "<feature var='http://jabber.org/protocol/muc'/>" +
  "<x xmlns='jabber:x:data' type='result'>" +
  "<field var='FORM_TYPE' type='hidden'><value>urn:xmpp:dataforms:softwareinfo</value></field>" +
  "<field var='ip_version'><value>ipv4</value><value>ipv6</value></field>" +
  "<field var='os'><value>Mac</value></field>" +
  "<field var='os_version'><value>10.5.1</value></field>" +
  "<field var='software'><value>Psi</value></field>" +
  "<field var='software_version'><value>0.11</value></field>" +
  "</x>";
