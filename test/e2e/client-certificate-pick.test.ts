import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { makeCertificateFiles } from "../unit/api/certificate-files";
import { launchChromium } from "./browser";
import { startPreview, type PreviewProcess } from "./preview-process";

// Choosing a client certificate in the built UI: main (here the preview host) reads the file the
// "dialog" chose (WREN_PREVIEW_CERTIFICATE stands in for it) and the page only sees its name.

const files = makeCertificateFiles();

describe("choosing a client certificate in the preview", () => {
  let browser: Browser;
  const previews: PreviewProcess[] = [];
  const pageErrors: string[] = [];

  async function open(certificate: string | null): Promise<Page> {
    vi.stubEnv("WREN_PREVIEW_CERTIFICATE", certificate ?? "");
    const preview = await startPreview();
    vi.unstubAllEnvs();
    previews.push(preview);
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto(preview.url);
    await page.getByLabel("Address", { exact: true }).fill("alice@example.org");
    await page.getByLabel("A client certificate").check();
    return page;
  }

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(previews.map((preview) => preview.stop()));
    files.remove();
  });

  it("reads the chosen PKCS#12 file in main, asks its passphrase and shows whose it is", async () => {
    const page = await open(files.locked);
    await page.getByRole("button", { name: "Choose certificate…" }).click();
    const passphrase = page.getByLabel("Passphrase for alice.p12");
    await passphrase.fill("not it");
    await passphrase.press("Enter");
    await expect
      .poll(() => page.getByRole("alert").textContent())
      .toBe("The passphrase for the certificate file is wrong.");
    await passphrase.fill("sesame");
    await page.getByRole("button", { name: "Unlock" }).click();
    const field = page.getByRole("group", { name: "Client certificate" });
    await expect
      .poll(() => field.textContent())
      .toContain("Issued to CN=alice@example.org, O=Example");
    expect(await field.textContent()).toContain("alice.p12");
    expect(await page.getByLabel("Save certificate").isChecked()).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it("says choosing a file is not available when no file is set for the preview", async () => {
    const page = await open(null);
    await page.getByRole("button", { name: "Choose certificate…" }).click();
    await expect
      .poll(() => page.getByRole("alert").textContent())
      .toMatch(/not available in the browser preview/);
  });
});
