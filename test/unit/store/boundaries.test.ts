import { resolve } from "node:path";
import { ESLint } from "eslint";
import { expect, it } from "vitest";

const eslint = new ESLint({ cwd: resolve(import.meta.dirname, "../../..") });

it("keeps electron out of the store and its worker, which run in plain Node", async () => {
  for (const filePath of ["main/store/x.ts", "main/store/worker/x.ts"]) {
    const [result] = await eslint.lintText('import { app } from "electron";\nexport { app };\n', {
      filePath,
    });
    expect(result!.messages.map((message) => message.ruleId)).toContain("no-restricted-imports");
  }
});
