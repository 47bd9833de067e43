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

  it("cannot send when nothing can be sent (the account is gone) but keeps the draft", async () => {
    const { textarea, onsend } = setup(undefined, false);
    await type(textarea, "later");
    await fireEvent.keyDown(textarea, { key: "Enter" });
    expect(onsend).not.toHaveBeenCalled();
    expect((screen.getByRole("button", { name: "Send" }) as HTMLButtonElement).disabled).toBe(true);
    expect(textarea.value).toBe("later");
  });

  it("sends while offline too, saying the message goes out once connected", async () => {
    const onsend = vi.fn(async (_body: string): Promise<SendResult> => ({ ok: true }));
    render(Composer, { value: "", recipient: "Alice", canSend: true, offline: true, onsend });
    const textarea = screen.getByRole("textbox", {
      name: "Message to Alice",
    }) as HTMLTextAreaElement;
    expect(textarea.placeholder).toBe("Message Alice — sent once you are connected");
    await type(textarea, "later");
    await fireEvent.keyDown(textarea, { key: "Enter" });
    expect(onsend).toHaveBeenCalledWith("later");
  });

  it("corrects the last own message with the Up arrow in an empty box, or cancels with Escape", async () => {
    const onsend = vi.fn(async (_body: string): Promise<SendResult> => ({ ok: true }));
    const onedit = vi.fn(async (_id: string, _body: string): Promise<SendResult> => ({ ok: true }));
    const ondraft = vi.fn();
    const lastOwn = () => ({ id: "m7", body: "helo" });
    render(Composer, {
      value: "",
      recipient: "Alice",
      canSend: true,
      onsend,
      onedit,
      lastOwn,
      ondraft,
    });
    const textarea = screen.getByRole("textbox", {
      name: "Message to Alice",
    }) as HTMLTextAreaElement;

    await fireEvent.keyDown(textarea, { key: "ArrowUp" });
    expect(textarea.value).toBe("helo");
    expect(screen.getByText("Editing your message")).toBeTruthy();
    const editor = screen.getByRole("textbox", { name: "Corrected message" });
    await fireEvent.keyDown(editor, { key: "Escape" });
    expect(textarea.value).toBe("");
    expect(screen.queryByText("Editing your message")).toBeNull();

    await fireEvent.keyDown(textarea, { key: "ArrowUp" });
    await type(textarea, "hello");
    await fireEvent.keyDown(textarea, { key: "Enter" });
    expect(onedit).toHaveBeenCalledWith("m7", "hello");
    expect(onsend).not.toHaveBeenCalled();
    // A correction is not typing a new message.
    expect(ondraft).not.toHaveBeenCalled();
    await vi.waitFor(() => expect(textarea.value).toBe(""));

    // With text in the box, the Up arrow moves the caret as usual.
    await type(textarea, "new");
    expect(ondraft).toHaveBeenCalledWith("new");
    const up = await fireEvent.keyDown(textarea, { key: "ArrowUp" });
    expect(up).toBe(true);
    expect(textarea.value).toBe("new");
  });
});
