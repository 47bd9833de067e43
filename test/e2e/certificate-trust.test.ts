import { X509Certificate } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { registerAccount, type TestAccount } from "../integration/setup/accounts";
import { ensureTestCertificates } from "../setup/certs";
import { launchChromium, watchedPage } from "./browser";
import { startPreview, type PreviewProcess } from "./preview-process";
import { signInThroughForm } from "./sign-in-form";

// A server whose certificate does not name it: Wren refuses it, shows the certificate, and signs in
// only once the person trusts exactly that certificate. Then the trusted certificate is made to
// differ from the server's, as an interception would: Wren must warn, and sign in only when told to.

const screenshots = resolve(import.meta.dirname, "../../test-output/e2e");

describe("trusting a server certificate Wren cannot verify", () => {
  const server = inject("xmpp");
  let preview: PreviewProcess;
  let browser: Browser;
  let page: Page;
  let account: TestAccount;
  let fingerprint: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    // The certificate Prosody shows for every host; it names localhost, not the uncertified domain.
    const { certPath } = ensureTestCertificates();
    fingerprint = new X509Certificate(readFileSync(certPath)).fingerprint256;
    account = await registerAccount(
      server.configPath,
      undefined,
      undefined,
      server.uncertifiedDomain,
    );
    [preview, browser] = await Promise.all([startPreview(), launchChromium()]);
    page = await watchedPage(browser, { width: 1200, height: 900 }, pageErrors);
    await page.goto(preview.url);
  });

  afterAll(async () => {
    await page
      ?.screenshot({ path: resolve(screenshots, "certificate-last-state.png") })
      .catch(() => {});
    await browser?.close();
    await preview?.stop();
  });

  it("refuses the server and shows its certificate with the right fingerprint", async () => {
    await signInThroughForm(page, account.jid, account.password);

    const offer = page.getByRole("region", { name: "The server's certificate" });
    await offer.waitFor({ timeout: 20_000 });
    expect(await page.getByRole("alert").textContent()).toContain(server.uncertifiedDomain);
    const details = offer.getByRole("group", { name: "Server certificate" });
    const shown = (await details.locator("dd.fingerprint").textContent())?.replace(/\s/g, "");
    expect(shown).toBe(fingerprint);
    expect(await details.getByRole("listitem").allTextContents()).toContain("localhost");
    // The password stays in its field for the second attempt; the account is not added yet.
    expect(await page.getByLabel("Password", { exact: true }).inputValue()).toBe(account.password);
    await page.screenshot({ path: resolve(screenshots, "certificate-untrusted.png") });
  });

  it("trusts it, signs in, and says the certificate is trusted by the person", async () => {
    await page.getByRole("button", { name: "Trust this certificate and add" }).click();
    await page.getByRole("searchbox", { name: "Search contacts" }).waitFor({ timeout: 20_000 });
    const accounts = page.getByRole("region", { name: "Accounts" });
    await expect.poll(() => accounts.textContent(), { timeout: 20_000 }).toContain("Connected");
    expect(await accounts.textContent()).toContain(account.jid);

    await page.getByRole("button", { name: `Actions for ${account.jid}` }).click();
    const menu = page.getByRole("group", { name: `Actions for ${account.jid}` });
    await expect
      .poll(() => menu.textContent(), { timeout: 10_000 })
      .toContain("certificate trusted by you");
    await page.screenshot({ path: resolve(screenshots, "certificate-trusted.png") });
  });

  it("warns when the server's certificate is not the trusted one, and re-trusts on request", async () => {
    // Wren again, on the same data, but trusting another certificate than the server shows.
    await preview.stop();
    const accountsFile = join(preview.dataDir, "accounts.json");
    const settings = JSON.parse(readFileSync(accountsFile, "utf8")) as {
      accounts: { jid: string; trustedCertificate?: string }[];
    };
    const saved = settings.accounts.find((a) => a.jid === account.jid);
    expect(saved?.trustedCertificate).toBe(fingerprint);
    saved!.trustedCertificate = fingerprint.replace(/[0-9A-F]/g, (digit) =>
      digit === "0" ? "1" : "0",
    );
    writeFileSync(accountsFile, JSON.stringify(settings));
    preview = await startPreview({ dataDir: preview.dataDir });
    await page.goto(preview.url);

    const accounts = page.getByRole("region", { name: "Accounts" });
    const alert = accounts.getByRole("alert");
    await alert.waitFor({ timeout: 20_000 });
    expect(await alert.textContent()).toMatch(/intercept/);
    const warning = accounts.getByRole("region", { name: /certificate changed/ });
    await warning.getByText("Certificate details").click();
    const shown = await warning.locator("dd.fingerprint").textContent();
    expect(shown?.replace(/\s/g, "")).toBe(fingerprint);
    await page.screenshot({ path: resolve(screenshots, "certificate-changed.png") });

    await warning.getByRole("button", { name: /Trust the new certificate/ }).click();
    const dialog = page.getByRole("dialog", { name: /Trust the new certificate for/ });
    await dialog.getByRole("button", { name: "Trust the new certificate" }).click();
    await expect.poll(() => dialog.count(), { timeout: 20_000 }).toBe(0);
    await expect.poll(() => accounts.textContent(), { timeout: 20_000 }).toContain("Connected");
    expect(await accounts.getByRole("alert").count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
