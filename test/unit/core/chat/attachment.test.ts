import { xml } from "@xmpp/client";
import { describe, expect, it } from "vitest";
import { attachmentOf } from "../../../../main/core/features/chat/attachment";
import { buildOutgoingChat } from "../../../../main/core/stanzas/chat-extensions";
import { parseChatMessage } from "../../../../main/core/stanzas/message";
import { NS_OOB } from "../../../../main/core/stanzas/namespaces";

const URL_ = "https://upload.example.org/x7/holiday%20photo.jpg";

describe("the file a message carries", () => {
  it("is its out-of-band URL, named after the URL's last segment", () => {
    expect(attachmentOf(URL_, URL_)).toEqual({
      url: URL_,
      name: "holiday photo.jpg",
      size: null,
      mediaType: null,
    });
    // A description beside the URL stays the body; the file is the URL's.
    expect(attachmentOf("our holiday", URL_)?.url).toBe(URL_);
  });

  it("is a body that is exactly one https URL ending in a file name", () => {
    expect(attachmentOf(` ${URL_}\n`, null)?.name).toBe("holiday photo.jpg");
    for (const body of [
      "https://example.org/article", // a page, not a file
      "https://example.org/",
      `look: ${URL_}`,
      `${URL_} ${URL_}`,
      "http://upload.example.org/a/photo.jpg", // not https
    ]) {
      expect(attachmentOf(body, null)).toBeNull();
    }
  });

  it("is never a URL that is not https, carries credentials, or is too long", () => {
    for (const url of [
      "http://upload.example.org/a.jpg",
      "javascript:alert(1)//a.jpg",
      "file:///etc/passwd",
      "https://user:secret@upload.example.org/a.jpg",
      `https://upload.example.org/${"a".repeat(5000)}.jpg`,
    ]) {
      expect(attachmentOf(url, url)).toBeNull();
    }
  });

  it("has a name that is safe to show and save", () => {
    const hostile = "https://upload.example.org/..%2F..%2F.bashrc%E2%80%AEgpj.exe";
    expect(attachmentOf(hostile, hostile)?.name).toBe("bashrcgpj.exe");
    const broken = "https://upload.example.org/%E0%A4%A.pdf";
    expect(attachmentOf(broken, broken)?.name).toBe("%E0%A4%A.pdf");
  });

  it("travels as XEP-0066 out-of-band data both ways", () => {
    const stanza = buildOutgoingChat({
      to: "juliet@example.org",
      id: "m1",
      body: URL_,
      fileUrl: URL_,
    });
    expect(stanza.getChild("x", NS_OOB)?.getChildText("url")).toBe(URL_);
    stanza.attrs.from = "romeo@example.org/phone";
    expect(parseChatMessage(stanza, 0)?.fileUrl).toBe(URL_);
    const plain = xml(
      "message",
      { from: "romeo@example.org", type: "chat" },
      xml("body", {}, "hi"),
    );
    expect(parseChatMessage(plain, 0)?.fileUrl).toBeNull();
  });
});
