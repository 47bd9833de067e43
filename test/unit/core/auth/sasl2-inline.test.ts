import { describe, expect, it, vi } from "vitest";
import { xml } from "@xmpp/client";
import { setupBind2 } from "@xmpp/stream-management/bind2.js";
import { setupSasl2 } from "@xmpp/stream-management/sasl2.js";
import { bind2Request } from "../../../../main/core/auth/bind2-request";
import { createInlineRegistry } from "../../../../main/core/auth/sasl2-inline";

const NS_SM = "urn:xmpp:sm:3";

describe("the inline registry", () => {
  it("asks only the features the server offered, and drops empty requests", async () => {
    const registry = createInlineRegistry(() => {});
    registry.use(
      "urn:a",
      () => xml("a", { xmlns: "urn:a" }),
      () => {},
    );
    registry.use(
      "urn:b",
      () => undefined,
      () => {},
    );
    registry.use(
      "urn:c",
      async () => xml("c", { xmlns: "urn:c" }),
      () => {},
    );
    const offered = ["urn:a", "urn:b", "urn:x"].map((ns) => ({
      ns,
      element: xml("f", { xmlns: ns }),
    }));
    const requests = await registry.requests(offered);
    expect(requests.map((request) => request.toString())).toEqual(['<a xmlns="urn:a"/>']);
  });

  it("reports what an asynchronous result handler rejects with", async () => {
    const onError = vi.fn();
    const registry = createInlineRegistry(onError);
    registry.use(
      "urn:a",
      () => undefined,
      async () => {
        throw new Error("broken");
      },
    );
    registry.deliver("urn:a", xml("x"));
    registry.deliver("urn:unknown", xml("y"));
    await vi.waitFor(() => expect(onError).toHaveBeenCalledWith(new Error("broken")));
  });

  it("fits @xmpp/stream-management's setupSasl2: resumption inside <authenticate/>", async () => {
    const sasl2 = createInlineRegistry(() => {});
    const resumed = vi.fn();
    setupSasl2({ sasl2, sm: { id: "previous", inbound: 7 }, failed: () => {}, resumed });
    const [request] = await sasl2.requests([{ ns: NS_SM, element: xml("sm", { xmlns: NS_SM }) }]);
    expect(request?.toString()).toBe(`<resume xmlns="${NS_SM}" h="7" previd="previous"/>`);
    const answer = xml("resumed", { xmlns: NS_SM, h: "3", previd: "previous" });
    sasl2.deliver(NS_SM, answer);
    expect(resumed).toHaveBeenCalledWith(answer);
  });

  it("fits setupBind2: <enable/> inside <bind/>, <enabled/> from <bound/>", async () => {
    const bind2 = createInlineRegistry(() => {});
    const enabled = vi.fn();
    setupBind2({ bind2, sm: { preferredMaximum: null }, failed: () => {}, enabled });
    const offer = xml(
      "bind",
      { xmlns: "urn:xmpp:bind:0" },
      xml(
        "inline",
        {},
        xml("feature", { var: NS_SM }),
        xml("feature", { var: "urn:xmpp:carbons:2" }),
      ),
    );
    expect((await bind2Request(offer, bind2)).toString()).toBe(
      `<bind xmlns="urn:xmpp:bind:0"><tag>Wren</tag><enable xmlns="${NS_SM}" resume="true"/></bind>`,
    );
    bind2.deliver(NS_SM, xml("enabled", { xmlns: NS_SM, id: "s1", resume: "true" }));
    await vi.waitFor(() =>
      expect(enabled).toHaveBeenCalledWith({ xmlns: NS_SM, id: "s1", resume: "true" }),
    );
  });

  it("builds a plain Bind2 request when nothing can be enabled inline", async () => {
    const offer = xml("bind", { xmlns: "urn:xmpp:bind:0" });
    expect(
      (
        await bind2Request(
          offer,
          createInlineRegistry(() => {}),
        )
      ).toString(),
    ).toBe('<bind xmlns="urn:xmpp:bind:0"><tag>Wren</tag></bind>');
  });
});
