// electron-builder.yml checked against electron-builder's own schema, so a misspelt option fails here
// instead of being ignored at packaging time (only `--linux dir` can run in this environment).
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const require = createRequire(import.meta.url);
// Both come with electron-builder (devDependency); neither ships types we need.
const yaml = require("js-yaml") as { load(text: string): unknown };
const { validateConfiguration } = require("app-builder-lib/out/util/config/config.js") as {
  validateConfiguration(config: unknown, debug: { isEnabled: boolean; add(): void }): Promise<void>;
};

const root = join(import.meta.dirname, "../../..");
const config = yaml.load(readFileSync(join(root, "electron-builder.yml"), "utf8")) as Record<
  string,
  any // eslint-disable-line @typescript-eslint/no-explicit-any
>;

describe("electron-builder.yml", () => {
  it("matches electron-builder's schema", async () => {
    await expect(
      validateConfiguration(config, { isEnabled: false, add() {} }),
    ).resolves.toBeUndefined();
  });

  it("would reject a misspelt option (the check above means something)", async () => {
    const broken = { ...config, electronFuses: { ...config.electronFuses, runAsNod: false } };
    await expect(validateConfiguration(broken, { isEnabled: false, add() {} })).rejects.toThrow(
      /electronFuses/,
    );
  });

  it("sets the security fuses", () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it("packages the build output and unpacks native modules", () => {
    expect(config.files.slice(0, 2)).toEqual(["out/**/*", "package.json"]);
    // What is left out is only better-sqlite3's sources and other systems' binaries.
    for (const excluded of config.files.slice(2)) {
      expect(excluded).toMatch(/^!node_modules\/better-sqlite3\//);
    }
    expect(config.asarUnpack).toContain("**/*.node");
    // N-API binaries load in Electron as they are; a rebuild would compile against a download.
    expect(config.npmRebuild).toBe(false);
    expect(config.directories.output).toBe("dist");
  });

  it("names targets for every desktop and points at icons that exist", () => {
    expect(config.linux.target).toEqual(["AppImage", "deb"]);
    expect(config.linux.category).toBe("Network;InstantMessaging");
    expect(config.mac.target).toBe("dmg");
    expect(config.win.target).toBe("nsis");
    for (const icon of [config.mac.icon, config.win.icon]) {
      expect(existsSync(join(root, icon)), icon).toBe(true);
    }
    for (const size of [16, 32, 48, 64, 128, 256, 512]) {
      expect(existsSync(join(root, config.linux.icon, `${size}x${size}.png`))).toBe(true);
    }
  });
});
