import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { createPreviewCertificateChooser } from "../../../main/preview/certificate-file";

describe("the preview's stand-in for the certificate dialog", () => {
  it("chooses the files named by WREN_PREVIEW_CERTIFICATE and WREN_PREVIEW_CERTIFICATE_KEY", async () => {
    const choose = createPreviewCertificateChooser({
      WREN_PREVIEW_CERTIFICATE: "certs/alice.crt",
      WREN_PREVIEW_CERTIFICATE_KEY: "/keys/alice.key",
    });
    expect(await choose("certificate")).toBe(resolve("certs/alice.crt"));
    expect(await choose("key")).toBe("/keys/alice.key");
  });

  it("says it is not available in the preview without them", async () => {
    const choose = createPreviewCertificateChooser({});
    await expect(choose("certificate")).rejects.toMatchObject({
      code: "not-available",
      message: expect.stringMatching(/not available in the browser preview/),
    });
    await expect(choose("key")).rejects.toMatchObject({
      message: expect.stringMatching(/WREN_PREVIEW_CERTIFICATE_KEY/),
    });
  });
});
