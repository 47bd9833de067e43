import { describe, expect, it } from "vitest";
import { createMemoryStore } from "../../../main/credentials/memory-store";

describe("memory store (no saved password)", () => {
  it("keeps a password for the session and forgets it on delete", async () => {
    const store = createMemoryStore();
    expect(store.kind).toBe("none");
    expect(await store.get("alice@example.org")).toBeNull();
    await store.set("alice@example.org", "s3cret");
    expect(await store.get("alice@example.org")).toBe("s3cret");
    expect(await store.get("bob@example.org")).toBeNull();
    await store.delete("alice@example.org");
    expect(await store.get("alice@example.org")).toBeNull();
    await expect(store.delete("alice@example.org")).resolves.toBeUndefined();
  });

  it("is not shared between instances (nothing is persisted)", async () => {
    await createMemoryStore().set("alice@example.org", "s3cret");
    expect(await createMemoryStore().get("alice@example.org")).toBeNull();
  });

  it("keys by own account ids only, not by inherited names", async () => {
    const store = createMemoryStore();
    expect(await store.get("constructor")).toBeNull();
    expect(await store.get("__proto__")).toBeNull();
  });

  it("refuses an empty account id or password", async () => {
    const store = createMemoryStore();
    await expect(store.set("", "x")).rejects.toMatchObject({ code: "invalid-argument" });
    await expect(store.set("alice@example.org", "")).rejects.toMatchObject({
      code: "invalid-argument",
    });
  });
});
