import { describe, expect, it } from "vitest";
import { newMessageId } from "../../../main/core/features/chat/message-id";

describe("newMessageId", () => {
  it("makes UUIDv7s that begin with the time", () => {
    const id = newMessageId(0x0190_1234_5678);
    expect(id).toMatch(/^01901234-5678-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("sorts ids of later milliseconds after earlier ones, and never repeats one", () => {
    const ids = Array.from({ length: 2_000 }, (_, index) =>
      newMessageId(1_700_000_000_000 + index),
    );
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(Array.from({ length: 10_000 }, () => newMessageId(5))).size).toBe(10_000);
  });
});
