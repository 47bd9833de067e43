import type { BaseWindow, Dialog, OpenDialogOptions } from "electron";
import { describe, expect, it, vi } from "vitest";
import { createCertificateFileChooser } from "../../../main/file-dialog";

function fakeDialog(answer: { canceled: boolean; filePaths: string[] }) {
  const calls: { window: unknown; options: OpenDialogOptions }[] = [];
  const showOpenDialog = vi.fn(async (...args: unknown[]) => {
    const [window, options] = args.length === 2 ? args : [null, args[0]];
    calls.push({ window, options: options as OpenDialogOptions });
    return answer;
  });
  return { dialog: { showOpenDialog } as unknown as Pick<Dialog, "showOpenDialog">, calls };
}

const window = { id: 1 } as unknown as BaseWindow;

describe("createCertificateFileChooser", () => {
  it("asks for one certificate file, modal on the window, offering PEM and PKCS#12", async () => {
    const { dialog, calls } = fakeDialog({ canceled: false, filePaths: ["/home/a/alice.p12"] });
    const choose = createCertificateFileChooser({ dialog, parent: () => window });
    expect(await choose("certificate")).toBe("/home/a/alice.p12");
    expect(calls).toHaveLength(1);
    const { window: parent, options } = calls[0]!;
    expect(parent).toBe(window);
    expect(options.properties).toContain("openFile");
    expect(options.properties).not.toContain("multiSelections");
    expect(options.properties).not.toContain("openDirectory");
    expect(options.filters?.[0]?.extensions).toEqual(
      expect.arrayContaining(["pem", "crt", "key", "p12", "pfx"]),
    );
    expect(options.title).toMatch(/client certificate/);
  });

  it("asks for the key with its own title and filter", async () => {
    const { dialog, calls } = fakeDialog({ canceled: false, filePaths: ["/k/alice.key"] });
    const choose = createCertificateFileChooser({ dialog, parent: () => window });
    expect(await choose("key")).toBe("/k/alice.key");
    expect(calls[0]!.options.title).toMatch(/private key/);
    expect(calls[0]!.options.filters?.[0]?.extensions).toEqual(["key", "pem"]);
  });

  it("answers null when cancelled, and shows a free dialog when no window is open", async () => {
    const { dialog, calls } = fakeDialog({ canceled: true, filePaths: [] });
    const choose = createCertificateFileChooser({ dialog, parent: () => null });
    expect(await choose("certificate")).toBeNull();
    expect(calls[0]!.window).toBeNull();
  });

  it("never lets a call change the next dialog's options", async () => {
    const { dialog, calls } = fakeDialog({ canceled: true, filePaths: [] });
    const choose = createCertificateFileChooser({ dialog, parent: () => window });
    await choose("certificate");
    calls[0]!.options.filters!.length = 0;
    await choose("certificate");
    expect(calls[1]!.options.filters).not.toHaveLength(0);
  });
});
