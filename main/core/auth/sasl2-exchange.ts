import { xml, type Client, type Element } from "@xmpp/client";
import SASLError from "@xmpp/sasl/lib/SASLError.js";
import { SaslSecurityError, ServerName, type SaslExchange } from "../sasl/mechanism";
import { decodeSaslData } from "./base64";
import { runExchangeLoop } from "./exchange-loop";
import { NS_SASL2 } from "./sasl2-offer";

const NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl";

export interface Sasl2Attempt {
  exchange: SaslExchange;
  /** Sent inside <authenticate/> after the initial response: user agent, Bind2, FAST, … */
  extensions: Element[];
  /**
   * Called with <success/> once the mechanism has verified the server, synchronously: the server
   * sends new stream features right after it, and they must find the stream's new state.
   */
  onSuccess(success: Element): void;
  timeoutMs: number;
  /** The account's domain, to name the server in error messages. */
  domain: string;
}

/**
 * One XEP-0388 exchange: <authenticate/>, any number of challenges, then <success/>, <failure/>
 * or <continue/>. As with RFC 6120 SASL (sasl-negotiation.ts), the mechanism sees the data of
 * <success/>, so a server that cannot prove itself fails here and nothing else happens.
 */
export function runSasl2Exchange(entity: Client, attempt: Sasl2Attempt): Promise<void> {
  const { exchange } = attempt;
  return runExchangeLoop(entity, {
    ns: NS_SASL2,
    name: "SASL2",
    timeoutMs: attempt.timeoutMs,
    open: () =>
      xml(
        "authenticate",
        { xmlns: NS_SASL2, mechanism: exchange.name },
        xml("initial-response", {}, encode(exchange.initialResponse())),
        ...attempt.extensions,
      ),
    step: (element) => {
      switch (element.name) {
        case "challenge": {
          const data = decodeSaslData(element.text()) ?? Buffer.alloc(0);
          return exchange
            .challenge(data)
            .then((answer) => xml("response", { xmlns: NS_SASL2 }, encode(answer)));
        }
        case "success":
          exchange.success(successData(element));
          attempt.onSuccess(element);
          return true;
        case "failure":
          throw sasl2Failure(element);
        case "continue":
          throw continueUnsupported(element, attempt.domain);
        default:
          return false;
      }
    },
  });
}

/** XEP-0388 drops RFC 6120's "=": an empty element is empty data. */
function encode(data: Buffer): string {
  return data.toString("base64");
}

/** No <additional-data/> is no data (null); an empty one is empty data. */
function successData(success: Element): Buffer | null {
  const data = success.getChild("additional-data", NS_SASL2);
  if (!data) return null;
  return decodeSaslData(data.text()) ?? Buffer.alloc(0);
}

/**
 * A SASLError like RFC 6120 SASL's, so errors.ts reads it the same way. XEP-0388 puts the RFC 6120
 * condition in the SASL namespace among <text/> and application elements, in no fixed order, which
 * SASLError.fromElement (first child = condition) would misread: the children are put in order.
 */
export function sasl2Failure(failure: Element): Error & { condition: string } {
  const children = failure.getChildElements();
  const condition =
    children.find((child) => child.getNS() === NS_SASL) ??
    children.find((child) => !child.is("text"));
  const text = children
    .find((child) => child.is("text"))
    ?.text()
    .trim();
  const application = children.find((child) => child !== condition && !child.is("text"));
  const error = SASLError.fromElement(
    xml(
      "failure",
      { xmlns: NS_SASL2 },
      xml(condition?.name ?? "undefined-condition", { xmlns: NS_SASL }),
      text ? xml("text", {}, text) : null,
      application ?? null,
    ),
  );
  return Object.assign(error, { element: failure });
}

/** <continue/>: a second factor, a password change or a hash upgrade, none of which Wren does yet. */
function continueUnsupported(element: Element, domain: string): SaslSecurityError {
  const tasks = (element.getChild("tasks", NS_SASL2)?.getChildren("task", NS_SASL2) ?? [])
    .map((task) => task.text().trim())
    .filter(Boolean);
  const text = element.getChildText("text", NS_SASL2)?.trim();
  return new SaslSecurityError(
    "sasl-no-mechanism",
    `${ServerName(domain)} asks for a further sign-in step Wren cannot do yet ` +
      `(${tasks.join(", ") || "unnamed"}${text ? `: “${text}”` : ""}), such as a second factor ` +
      "or a password change. Complete it with another client, then try again. Wren did not sign in.",
  );
}
