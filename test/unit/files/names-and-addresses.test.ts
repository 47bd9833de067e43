import { describe, expect, it } from "vitest";
import { markDownloaded } from "../../../main/files/quarantine";
import {
  isPrivateAddress,
  RefusedUrlError,
  resolveFileUrl,
} from "../../../main/files/remote-address";
import { numbered, saveName } from "../../../main/files/save-name";

describe("the name a download is saved under", () => {
  it("is the last component of what the network said, made safe", () => {
    expect(saveName("report.pdf")).toBe("report.pdf");
    expect(saveName("../../.ssh/authorized_keys")).toBe("authorized_keys");
    expect(saveName("C:\\Windows\\system32\\evil.dll")).toBe("evil.dll");
    expect(saveName(".bashrc")).toBe("bashrc");
    expect(saveName("evil\u202Efdp.exe")).toBe("evilfdp.exe");
    expect(saveName("tab\tand\u0085next.txt")).toBe("tabandnext.txt");
    expect(saveName("trailing. . ")).toBe("trailing");
    expect(saveName("CON.txt")).toBe("download");
    expect(saveName("...")).toBe("download");
    expect(saveName("a:b*c?.txt")).toBe("abc.txt");
  });

  it("shows the type the bytes are, when the name says another", () => {
    expect(saveName("photo.jpg", "jpg")).toBe("photo.jpg");
    expect(saveName("photo.JPEG", "jpg")).toBe("photo.JPEG");
    expect(saveName("invoice.pdf", "exe")).toBe("invoice.pdf.exe");
    expect(saveName("notes", "png")).toBe("notes.png");
  });

  it("is at most 80 characters, keeping the extension", () => {
    const name = saveName(`${"x".repeat(300)}.tar.gz`);
    expect(name).toHaveLength(80);
    expect(name.endsWith(".gz")).toBe(true);
  });

  it("is numbered when the folder has one of that name", () => {
    expect(numbered("report.pdf", 0)).toBe("report.pdf");
    expect(numbered("report.pdf", 2)).toBe("report (2).pdf");
    expect(numbered("README", 1)).toBe("README (1)");
  });
});

describe("addresses a file link may reach", () => {
  it("exclude this computer, the local network and special ranges", () => {
    for (const address of [
      "127.0.0.1",
      "10.1.2.3",
      "172.20.0.1",
      "192.168.1.10",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "::1",
      "::",
      "fe80::1",
      "fd00::1",
      "::ffff:127.0.0.1",
      "::ffff:192.168.0.1",
      "not an address",
    ]) {
      expect(isPrivateAddress(address), address).toBe(true);
    }
    for (const address of ["93.184.216.34", "2606:2800:220:1::1", "::ffff:93.184.216.34"]) {
      expect(isPrivateAddress(address), address).toBe(false);
    }
  });

  const resolver = (address: string, family = 4) =>
    (async () => ({ address, family })) as unknown as Parameters<typeof resolveFileUrl>[2];

  it("are refused when a name resolves to one, unless it is the account's own server", async () => {
    const url = (href: string) => new URL(href);
    await expect(
      resolveFileUrl(
        url("https://files.evil.example/a.jpg"),
        "example.org",
        resolver("192.168.0.1"),
      ),
    ).rejects.toBeInstanceOf(RefusedUrlError);
    await expect(
      resolveFileUrl(url("https://127.0.0.1/a.jpg"), "example.org", resolver("1.1.1.1")),
    ).rejects.toBeInstanceOf(RefusedUrlError);
    expect(
      await resolveFileUrl(
        url("https://upload.example.org/a.jpg"),
        "example.org",
        resolver("10.0.0.5"),
      ),
    ).toEqual({ address: "10.0.0.5", family: 4 });
    expect(
      await resolveFileUrl(
        url("https://cdn.example.net/a.jpg"),
        "example.org",
        resolver("93.184.216.34"),
      ),
    ).toEqual({ address: "93.184.216.34", family: 4 });
  });

  it("are reached over https only, without credentials in the URL", async () => {
    for (const href of [
      "http://example.org/a.jpg",
      "ftp://example.org/a",
      "https://u:p@example.org/a",
    ]) {
      await expect(
        resolveFileUrl(new URL(href), "example.org", resolver("93.184.216.34")),
      ).rejects.toBeInstanceOf(RefusedUrlError);
    }
  });
});

describe("the downloaded-from-the-internet mark", () => {
  const deps = (platform: NodeJS.Platform) => {
    const calls: unknown[][] = [];
    return {
      calls,
      deps: {
        platform,
        writeFile: async (...args: unknown[]) => void calls.push(["write", ...args]),
        execFile: async (...args: unknown[]) => void calls.push(["exec", ...args]),
        now: () => 0x65000000 * 1000,
      },
    };
  };
  const from = new URL("https://upload.example.org/a/b/photo.jpg?token=secret");

  it("is the Zone.Identifier stream on Windows, naming only the site", async () => {
    const { calls, deps: d } = deps("win32");
    expect(await markDownloaded("C:\\Downloads\\photo.jpg", from, d)).toBe(true);
    expect(calls).toEqual([
      [
        "write",
        "C:\\Downloads\\photo.jpg:Zone.Identifier",
        "[ZoneTransfer]\r\nZoneId=3\r\nHostUrl=https://upload.example.org/\r\n",
      ],
    ]);
  });

  it("is the quarantine attribute on macOS, and nothing on Linux", async () => {
    const mac = deps("darwin");
    expect(await markDownloaded("/Users/r/Downloads/photo.jpg", from, mac.deps)).toBe(true);
    expect(mac.calls).toEqual([
      [
        "exec",
        "/usr/bin/xattr",
        ["-w", "com.apple.quarantine", "0083;65000000;Wren;", "/Users/r/Downloads/photo.jpg"],
      ],
    ]);
    const linux = deps("linux");
    expect(await markDownloaded("/home/r/Downloads/photo.jpg", from, linux.deps)).toBe(false);
    expect(linux.calls).toEqual([]);
  });
});
