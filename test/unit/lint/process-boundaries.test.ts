import { resolve } from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

// The process boundaries are enforced by lint; prove the rules catch what they are for.
const eslint = new ESLint({ cwd: resolve(import.meta.dirname, "../../..") });

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages
    .filter((message) => message.ruleId === "no-restricted-imports")
    .map((message) => message.message);
}

describe("process boundaries", () => {
  it("keeps electron out of the core, the API and the preview host", async () => {
    for (const file of [
      "main/app.ts",
      "main/shared/x.ts",
      "main/core/x.ts",
      "main/api/x.ts",
      "main/preview/x.ts",
    ]) {
      expect(
        await restrictedImports(file, 'import { app } from "electron";\nexport { app };\n'),
      ).toHaveLength(1);
    }
  });

  it("keeps the core from importing the layers built on it", async () => {
    const code = [
      'import { createWrenService } from "../api/service";',
      'import { createAccountManager } from "../../accounts/account-manager";',
      'import { createKeytarStore } from "../credentials/keytar-store";',
      'import { startPreview } from "../preview/server";',
      'import { app } from "electron";',
      "export { createWrenService, createAccountManager, createKeytarStore, startPreview, app };",
    ].join("\n");
    expect(await restrictedImports("main/core/features/x.ts", code)).toHaveLength(5);
  });

  it("lets the core import the shared basics and the contract", async () => {
    const code = [
      'import { WrenError } from "../../shared/errors";',
      'import { Emitter } from "../shared/emitter";',
      'import type { ChatMessage } from "../../../preload/contract";',
      'import { parseJid } from "../jid";',
      "export { WrenError, Emitter, parseJid };",
      "export type { ChatMessage };",
    ].join("\n");
    expect(await restrictedImports("main/core/features/x.ts", code)).toEqual([]);
  });

  it("keeps the shared basics from importing any other part of main", async () => {
    const code = [
      'import { createSession } from "../core/account-runtime";',
      'import type { UserError } from "../../preload/contract";',
      "export { createSession };",
      "export type { UserError };",
    ].join("\n");
    expect(await restrictedImports("main/shared/x.ts", code)).toHaveLength(1);
  });

  it("lets the shell use electron", async () => {
    expect(
      await restrictedImports("main/x.ts", 'import { app } from "electron";\nexport { app };\n'),
    ).toEqual([]);
  });

  it("keeps Node built-ins, electron and main's modules out of the renderer", async () => {
    const code = [
      'import { readFileSync } from "node:fs";',
      'import { connect } from "net";',
      'import { ipcRenderer } from "electron";',
      'import { createSession } from "../../main/core/account-runtime";',
      "export { readFileSync, connect, ipcRenderer, createSession };",
    ].join("\n");
    expect(await restrictedImports("renderer/lib/x.ts", code)).toHaveLength(4);
  });

  it("lets the renderer import the contract", async () => {
    const code =
      'import type { WrenApi } from "../../preload/contract";\nexport type { WrenApi };\n';
    expect(await restrictedImports("renderer/lib/x.ts", code)).toEqual([]);
  });
});
