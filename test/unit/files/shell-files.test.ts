import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createPreviewShell } from "../../../main/preview/preview-shell";
import { createShellFiles, type ShellLike } from "../../../main/shell-files";
import { WrenError } from "../../../main/shared/errors";

function fakeShell(answer = "") {
  const shell = {
    openPath: vi.fn(async (_path: string) => answer),
    showItemInFolder: vi.fn((_path: string) => undefined),
  } satisfies ShellLike;
  return shell;
}

describe("createShellFiles", () => {
  it("opens a file through the system, and shows one in its folder", async () => {
    const shell = fakeShell();
    const files = createShellFiles(shell);
    await files.openPath("/home/me/Downloads/a.pdf");
    expect(shell.openPath).toHaveBeenCalledExactlyOnceWith("/home/me/Downloads/a.pdf");
    await files.showInFolder("/home/me/Downloads/b.pdf");
    expect(shell.showItemInFolder).toHaveBeenCalledExactlyOnceWith("/home/me/Downloads/b.pdf");
    expect(shell.openPath).toHaveBeenCalledOnce();
  });

  it("says in words when the system could not open the file", async () => {
    const files = createShellFiles(fakeShell("No application knows how to open this file."));
    const error = await files.openPath("/x/a.weird").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WrenError);
    expect(error).toMatchObject({
      code: "not-available",
      message: "The system could not open the file: No application knows how to open this file.",
    });
  });
});

describe("createPreviewShell", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "wren-preview-shell-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("opens nothing, and writes each request as a JSON line, in order", async () => {
    const record = join(dir, "shell.jsonl");
    const shell = createPreviewShell(record);
    expect(existsSync(record)).toBe(false);
    await shell.openPath('/downloads/a "quoted" name.pdf');
    await shell.showInFolder("/downloads/b.png");
    await shell.openPath("/downloads/line\nbreak.txt");
    const lines = (await readFile(record, "utf8")).split("\n");
    expect(lines.at(-1)).toBe("");
    expect(lines.slice(0, -1).map((line) => JSON.parse(line) as unknown)).toEqual([
      { action: "open", path: '/downloads/a "quoted" name.pdf' },
      { action: "show-in-folder", path: "/downloads/b.png" },
      { action: "open", path: "/downloads/line\nbreak.txt" },
    ]);
  });
});
