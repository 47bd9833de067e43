import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import type { UserError } from "../../preload/contract";
import Composer from "../../renderer/lib/components/Composer.svelte";
import { fail } from "./fake-api";

type SendResult = { ok: true } | { ok: false; error: UserError };

function setup(
  onsend = vi.fn(async (_body: string): Promise<SendResult> => ({ ok: true })),
  canSend = true,
) {
  render(Composer, { value: "", recipient: "Alice", canSend, onsend });
  const textarea = screen.getByRole("textbox", { name: "Message to Alice" }) as HTMLTextAreaElement;
  return { textarea, onsend };
}

async function type(textarea: HTMLTextAreaElement, text: string) {
  await fireEvent.input(textarea, { target: { value: text } });
}

describe("Composer", () => {
  it("is focused when it appears", () => {
    const { textarea } = setup();
    expect(document.activeElement).toBe(textarea);
  });

  it("sends on Enter and clears the text after success", async () => {
    const { textarea, onsend } = setup();
    await type(textarea, "  Hello there  ");
    await fireEvent.keyDown(textarea, { key: "Enter" });
    expect(onsend).toHaveBeenCalledWith("Hello there");
    await vi.waitFor(() => expect(textarea.value).toBe(""));
  });

  it("does not send on Shift+Enter or while composing with an input method", async () => {
    const { textarea, onsend } = setup();
    await type(textarea, "line one");
    const shift = await fireEvent.keyDown(textarea, { key: "Enter", shiftKey: true });
    expect(shift).toBe(true); // not prevented: the browser inserts the newline
    await fireEvent.keyDown(textarea, { key: "Enter", isComposing: true });
    expect(onsend).not.toHaveBeenCalled();
    expect(textarea.value).toBe("line one");
  });

  it("sends with the button and never sends blank text", async () => {
    const { textarea, onsend } = setup();
    const button = screen.getByRole("button", { name: "Send" });
    expect((button as HTMLButtonElement).disabled).toBe(true);
    await type(textarea, "   ");
    await fireEvent.keyDown(textarea, { key: "Enter" });
    expect(onsend).not.toHaveBeenCalled();
    await type(textarea, "hi");
    expect((button as HTMLButtonElement).disabled).toBe(false);
    await fireEvent.click(button);
    expect(onsend).toHaveBeenCalledWith("hi");
  });

  it("keeps the text and shows the error when sending fails", async () => {
    const onsend = vi.fn(async (_body: string): Promise<SendResult> =>
      fail("You are not signed in."),
    );
    const { textarea } = setup(onsend);
    await type(textarea, "important words");
    await fireEvent.keyDown(textarea, { key: "Enter" });
    expect((await screen.findByRole("alert")).textContent).toContain("You are not signed in.");
    expect(textarea.value).toBe("important words");
  });

  it("cannot send while offline but keeps the draft editable", async () => {
    const { textarea, onsend } = setup(undefined, false);
    await type(textarea, "later");
    await fireEvent.keyDown(textarea, { key: "Enter" });
    expect(onsend).not.toHaveBeenCalled();
    expect((screen.getByRole("button", { name: "Send" }) as HTMLButtonElement).disabled).toBe(true);
    expect(textarea.value).toBe("later");
  });
});
