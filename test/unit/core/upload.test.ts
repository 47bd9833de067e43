import { xml } from "@xmpp/client";
import StanzaError from "@xmpp/middleware/lib/StanzaError.js";
import { describe, expect, it } from "vitest";
import { HttpUpload, type UploadFile } from "../../../main/core/features/upload/http-upload";
import { uploadName } from "../../../main/core/features/upload/upload-name";
import type { DiscoInfo } from "../../../main/core/features/disco";
import {
  describeSlotError,
  formatBytes,
  maxFileSize,
  NS_HTTP_UPLOAD,
  parseSlot,
  UnusableSlotError,
} from "../../../main/core/stanzas/http-upload";
import { WrenError } from "../../../main/shared/errors";
import { captureLog } from "./logger-double";

const PUT = "https://upload.example.org/put/abc/photo.jpg";
const GET = "https://upload.example.org/get/abc/photo.jpg";

function slotResult(put = PUT, get = GET, ...headers: [string, string][]) {
  return xml(
    "iq",
    { type: "result" },
    xml(
      "slot",
      { xmlns: NS_HTTP_UPLOAD },
      xml("put", { url: put }, ...headers.map(([name, value]) => xml("header", { name }, value))),
      xml("get", { url: get }),
    ),
  );
}

function uploadError(condition: string, ...application: ReturnType<typeof xml>[]) {
  return StanzaError.fromElement(
    xml(
      "error",
      { type: "modify" },
      xml(condition, { xmlns: "urn:ietf:params:xml:ns:xmpp-stanzas" }),
      ...application,
    ),
  );
}

describe("a slot", () => {
  it("keeps only the headers XEP-0363 allows, by their canonical names", () => {
    const slot = parseSlot(
      slotResult(
        PUT,
        GET,
        ["authorization", "Basic Zm9vOmJhcg=="],
        ["Cookie", "foo=bar; user=romeo"],
        ["Expires", "Tue, 01 Dec 2026 12:00:00 GMT"],
        ["Host", "evil.example"],
        ["Content-Length", "1"],
        ["Transfer-Encoding", "chunked"],
      ),
    );
    expect(slot.putUrl.href).toBe(PUT);
    expect(slot.getUrl.href).toBe(GET);
    expect(slot.headers).toEqual({
      Authorization: "Basic Zm9vOmJhcg==",
      Cookie: "foo=bar; user=romeo",
      Expires: "Tue, 01 Dec 2026 12:00:00 GMT",
    });
  });

  it("is refused with a line break in a header, which would smuggle headers of its own", () => {
    for (const value of ["a\r\nX-Evil: 1", "a\nb", "a\rb", "a\0b"]) {
      expect(() => parseSlot(slotResult(PUT, GET, ["Authorization", value]))).toThrow(
        UnusableSlotError,
      );
    }
  });

  it("is refused unless both URLs are https, without credentials", () => {
    const bad = [
      ["http://upload.example.org/put", GET],
      [PUT, "http://upload.example.org/get"],
      ["file:///etc/passwd", GET],
      ["https://user:pass@upload.example.org/put", GET],
      ["not a url", GET],
      ["", GET],
      [`https://upload.example.org/${"a".repeat(5000)}`, GET],
    ];
    for (const [put, get] of bad) {
      expect(() => parseSlot(slotResult(put, get))).toThrow(UnusableSlotError);
    }
    expect(() => parseSlot(xml("iq", { type: "result" }))).toThrow(UnusableSlotError);
  });
});

describe("the service's answers", () => {
  it("become sentences a person can act on", () => {
    expect(
      describeSlotError(
        uploadError(
          "not-acceptable",
          xml("file-too-large", { xmlns: NS_HTTP_UPLOAD }, xml("max-file-size", {}, "20000000")),
        ),
      ),
    ).toEqual({ tooLarge: true, message: "The server takes files of at most 20 MB." });
    expect(
      describeSlotError(
        uploadError(
          "resource-constraint",
          xml("retry", { xmlns: NS_HTTP_UPLOAD, stamp: "2026-12-03T20:00:00Z" }),
        ),
      ),
    ).toMatchObject({
      tooLarge: false,
      message: expect.stringMatching(
        /^You have used up your upload quota for now; try again after /,
      ),
    });
    expect(describeSlotError(uploadError("not-allowed"))?.message).toBe(
      "The server does not allow you to upload files.",
    );
    expect(describeSlotError(uploadError("resource-constraint"))?.message).toBe(
      "You have used up your upload quota on the server.",
    );
    expect(describeSlotError(new Error("timeout"))).toBeNull();
  });

  it("give the size limit from the service's form, when it is a number", () => {
    const info = (value: string): DiscoInfo => ({
      identities: [],
      features: [NS_HTTP_UPLOAD],
      forms: [{ formType: NS_HTTP_UPLOAD, fields: [{ var: "max-file-size", values: [value] }] }],
    });
    expect(maxFileSize(info("5242880"))).toBe(5_242_880);
    for (const bad of ["", "-1", "0", "1e9", "lots", "99999999999999999999"]) {
      expect(maxFileSize(info(bad))).toBeNull();
    }
    expect(maxFileSize({ identities: [], features: [], forms: [] })).toBeNull();
  });

  it("name sizes as file managers do", () => {
    expect(formatBytes(1)).toBe("1 byte");
    expect(formatBytes(999)).toBe("999 bytes");
    expect(formatBytes(1_500)).toBe("1.5 kB");
    expect(formatBytes(20_000_000)).toBe("20 MB");
    expect(formatBytes(123_456_789)).toBe("123 MB");
  });
});

describe("the name a file is announced under", () => {
  it("is its last path component, without control or bidi characters or leading dots", () => {
    expect(uploadName("/home/romeo/Pictures/us.jpg")).toBe("us.jpg");
    expect(uploadName("C:\\Users\\romeo\\us.jpg")).toBe("us.jpg");
    expect(uploadName("evil\u202Egpj.exe")).toBe("evilgpj.exe");
    expect(uploadName("tab\there\u0000.txt")).toBe("tabhere.txt");
    expect(uploadName("..hidden")).toBe("hidden");
    expect(uploadName("../..")).toBe("file");
    expect(uploadName("   ")).toBe("file");
  });

  it("is at most 200 characters, keeping the extension and never half an emoji", () => {
    const long = uploadName(`${"a".repeat(300)}.jpeg`);
    expect(long).toHaveLength(200);
    expect(long.endsWith(".jpeg")).toBe(true);
    const emoji = uploadName(`${"a".repeat(194)}😀😀.png`);
    expect(emoji.endsWith("a😀.png") || emoji.endsWith("a.png")).toBe(true);
    expect(emoji).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});

describe("an upload", () => {
  const file: UploadFile = { path: "/tmp/x", name: "x.txt", size: 10, contentType: "text/plain" };
  const serviceInfo: DiscoInfo = {
    identities: [{ category: "store", type: "file", name: "", lang: "" }],
    features: [NS_HTTP_UPLOAD],
    forms: [{ formType: NS_HTTP_UPLOAD, fields: [{ var: "max-file-size", values: ["100"] }] }],
  };

  function setup(answer: () => Promise<ReturnType<typeof xml>>) {
    const asked: ReturnType<typeof xml>[] = [];
    const puts: string[] = [];
    const upload = new HttpUpload({
      account: "romeo@example.org",
      disco: {
        infoOf: async (jid) =>
          jid === "upload.example.org" ? serviceInfo : { identities: [], features: [], forms: [] },
        itemsOf: async () => [
          { jid: "conference.example.org", node: "", name: "" },
          { jid: "upload.example.org", node: "", name: "" },
        ],
      },
      outbox: () => ({
        send: async () => {},
        request: async (iq) => {
          asked.push(iq);
          return answer();
        },
      }),
      log: captureLog().log,
      put: async (_file, options) => {
        puts.push(options.url.href);
      },
    });
    return { upload, asked, puts };
  }

  it("asks the service found among the server's items for a slot of the exact size and type", async () => {
    const t = setup(async () => slotResult());
    expect(await t.upload.upload(file)).toBe(GET);
    const request = t.asked[0]!;
    expect(request.attrs.to).toBe("upload.example.org");
    expect(request.getChild("request", NS_HTTP_UPLOAD)!.attrs).toMatchObject({
      filename: "x.txt",
      size: "10",
      "content-type": "text/plain",
    });
    expect(t.puts).toEqual([PUT]);
  });

  it("asks for a new slot each time, since slots expire", async () => {
    const t = setup(async () => slotResult());
    await t.upload.upload(file);
    await t.upload.upload(file);
    expect(t.asked).toHaveLength(2);
  });

  it("turns the service's refusal into a readable error, and PUTs nothing", async () => {
    const t = setup(async () => {
      throw uploadError(
        "not-acceptable",
        xml("file-too-large", { xmlns: NS_HTTP_UPLOAD }, xml("max-file-size", {}, "5")),
      );
    });
    const error = await t.upload.upload(file).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WrenError);
    expect(error).toMatchObject({
      code: "file-too-large",
      message: "The server takes files of at most 5 bytes.",
    });
    expect(t.puts).toEqual([]);
  });

  it("says the service did not answer when the slot request fails otherwise", async () => {
    const t = setup(async () => {
      throw Object.assign(new Error("timeout"), { name: "TimeoutError" });
    });
    await expect(t.upload.upload(file)).rejects.toMatchObject({
      code: "upload-failed",
      message: "The server's upload service did not answer. Try again in a moment.",
    });
  });

  it("is cancelled with a readable error, before the PUT when cancelled early", async () => {
    const t = setup(async () => slotResult());
    const cancel = new AbortController();
    cancel.abort();
    await expect(t.upload.upload(file, { signal: cancel.signal })).rejects.toMatchObject({
      code: "cancelled",
    });
    expect(t.puts).toEqual([]);
  });

  it("refuses an unusable slot without PUTting anything", async () => {
    const t = setup(async () => slotResult("http://upload.example.org/put"));
    await expect(t.upload.upload(file)).rejects.toMatchObject({ code: "upload-failed" });
    expect(t.puts).toEqual([]);
  });

  it("says plainly when the server has no upload service", async () => {
    const upload = new HttpUpload({
      account: "romeo@example.org",
      disco: {
        infoOf: async () => ({ identities: [], features: [], forms: [] }),
        itemsOf: async () => [{ jid: "conference.example.org", node: "", name: "" }],
      },
      outbox: () => null,
      log: captureLog().log,
    });
    expect(await upload.service()).toBeNull();
    await expect(upload.upload(file)).rejects.toMatchObject({
      code: "not-available",
      message: "Your server has no file upload service, so Wren cannot send files through it.",
    });
  });

  it("checks the service's limit first", async () => {
    const t = setup(async () => slotResult());
    await expect(t.upload.upload({ ...file, size: 101 })).rejects.toMatchObject({
      code: "file-too-large",
      message: "This file is 101 bytes; your server takes files of at most 100 bytes.",
    });
    expect(t.asked).toEqual([]);
  });
});
