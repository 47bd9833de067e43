import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import App from "../../renderer/App.svelte";
import { dragEvent, dropFiles, patternFile } from "./drag";
import {
  createFakeApi,
  ME,
  message,
  onlineSnapshot,
  rosterItem,
  twoAccountSnapshot,
  WORK,
  type FakeApi,
} from "./fake-api";

async function renderApp(api: FakeApi) {
  render(App, { connect: async () => api });
  await screen.findByRole("searchbox", { name: "Search contacts" });
}

async function openAlice(): Promise<HTMLElement> {
  await fireEvent.click(screen.getByRole("option", { name: /Alice/ }));
  return screen.findByRole("region", { name: "Conversation with Alice" });
}

function sentTo(api: FakeApi) {
  return vi.mocked(api.sendFile).mock.calls.map(([args]) => [args.accountId, args.to]);
}

describe("dropping files on a conversation", () => {
  it("sends every dropped file to the open conversation, each handed over then uploaded", async () => {
    const api = createFakeApi(onlineSnapshot({ roster: [rosterItem("alice@x.org", "Alice")] }));
    await renderApp(api);
    const conversation = await openAlice();
    const files = [patternFile(3, "a.txt", "text/plain"), patternFile(4, "b.txt", "text/plain")];

    const { dragover, drop } = dropFiles(conversation, files);
    expect(dragover.defaultPrevented).toBe(true);
    expect(drop.defaultPrevented).toBe(true);

    await vi.waitFor(() => expect(api.sendFile).toHaveBeenCalledTimes(2));
    expect(sentTo(api)).toEqual([
      [ME, "alice@x.org"],
      [ME, "alice@x.org"],
    ]);
    expect(api.beginFile).toHaveBeenCalledWith({ name: "a.txt", size: 3, mediaType: "text/plain" });
    const list = await screen.findByRole("region", { name: "Files being sent" });
    expect(within(list).getAllByRole("progressbar")).toHaveLength(2);
  });

  it("highlights the conversation while files are dragged over it, and ignores dragged text", async () => {
    const api = createFakeApi(onlineSnapshot({ roster: [rosterItem("alice@x.org", "Alice")] }));
    await renderApp(api);
    const conversation = await openAlice();

    const text = dragEvent(conversation, "dragover", ["text/plain"]);
    expect(text.defaultPrevented).toBe(false);
    dragEvent(conversation, "dragenter", ["text/plain"]);
    expect(conversation.classList.contains("file-drop-active")).toBe(false);

    dragEvent(conversation, "dragenter", ["Files"]);
    expect(conversation.classList.contains("file-drop-active")).toBe(true);
    expect(await screen.findByText("Drop to send to Alice")).toBeTruthy();
    dragEvent(conversation, "dragleave", ["Files"]);
    expect(conversation.classList.contains("file-drop-active")).toBe(false);
    await vi.waitFor(() => expect(screen.queryByText("Drop to send to Alice")).toBeNull());
    expect(api.sendFile).not.toHaveBeenCalled();
  });

  it("keeps a file dropped elsewhere from replacing the page", async () => {
    const api = createFakeApi(onlineSnapshot({ roster: [rosterItem("alice@x.org", "Alice")] }));
    await renderApp(api);
    const heading = screen.getByText("No conversation selected");
    const dragover = dragEvent(heading, "dragover", ["Files"]);
    const drop = dragEvent(heading, "drop", ["Files"], [patternFile(1)]);
    expect(dragover.defaultPrevented).toBe(true);
    expect(drop.defaultPrevented).toBe(true);
    // Text dragged into a text field is the browser's to handle.
    expect(dragEvent(heading, "drop", ["text/plain"]).defaultPrevented).toBe(false);
    expect(api.sendFile).not.toHaveBeenCalled();
  });
});

describe("dropping files on a contact", () => {
  it("sends them from the contact's only account and opens the conversation", async () => {
    const api = createFakeApi(
      twoAccountSnapshot(
        { roster: [rosterItem("alice@x.org", "Alice")] },
        { roster: [rosterItem("bob@y.org", "Bob")] },
      ),
    );
    await renderApp(api);
    dropFiles(screen.getByRole("option", { name: /Bob/ }), [patternFile(5, "plan.pdf")]);
    await vi.waitFor(() => expect(api.sendFile).toHaveBeenCalledTimes(1));
    expect(sentTo(api)).toEqual([[WORK, "bob@y.org"]]);
    expect(await screen.findByRole("region", { name: "Conversation with Bob" })).toBeTruthy();
  });

  it("asks which account sends them when several have the contact, then sends from it", async () => {
    const alice = rosterItem("alice@x.org", "Alice");
    const api = createFakeApi(twoAccountSnapshot({ roster: [alice] }, { roster: [alice] }));
    await renderApp(api);
    dropFiles(screen.getByRole("option", { name: /Alice/ }), [
      patternFile(5, "one.txt"),
      patternFile(6, "two.txt"),
    ]);
    const dialog = await screen.findByRole("dialog", {
      name: "Send 2 files to alice@x.org from…",
    });
    expect(api.beginFile).not.toHaveBeenCalled();
    await fireEvent.click(within(dialog).getByRole("button", { name: /me@work\.example/ }));
    await vi.waitFor(() => expect(api.sendFile).toHaveBeenCalledTimes(2));
    expect(sentTo(api)).toEqual([
      [WORK, "alice@x.org"],
      [WORK, "alice@x.org"],
    ]);
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(await screen.findByRole("region", { name: "Conversation with Alice" })).toBeTruthy();

    // Chosen once: the next drop goes the same way without asking.
    dropFiles(screen.getByRole("option", { name: /Alice/ }), [patternFile(1, "three.txt")]);
    await vi.waitFor(() => expect(api.sendFile).toHaveBeenCalledTimes(3));
    expect(sentTo(api)[2]).toEqual([WORK, "alice@x.org"]);
    expect(screen.queryByRole("dialog")).toBeNull();
  });

  it("sends nothing when the person cancels the choice", async () => {
    const alice = rosterItem("alice@x.org", "Alice");
    const api = createFakeApi(twoAccountSnapshot({ roster: [alice] }, { roster: [alice] }));
    await renderApp(api);
    dropFiles(screen.getByRole("option", { name: /Alice/ }), [patternFile(5)]);
    const dialog = await screen.findByRole("dialog", { name: "Send 1 file to alice@x.org from…" });
    await fireEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("dialog")).toBeNull();
    // Chatting later asks again, about the chat alone.
    await fireEvent.click(screen.getByRole("option", { name: /Alice/ }));
    const chooser = await screen.findByRole("dialog", { name: "Chat with alice@x.org from…" });
    await fireEvent.click(within(chooser).getByRole("button", { name: /me@example\.org/ }));
    expect(api.beginFile).not.toHaveBeenCalled();
    expect(api.sendFile).not.toHaveBeenCalled();
  });
});

describe("dropping files on a conversation in the list", () => {
  it("sends them to that conversation and opens it", async () => {
    const api = createFakeApi(twoAccountSnapshot());
    await renderApp(api);
    api.emit([{ type: "messages", accountId: WORK, messages: [message("carol@z.org", "hi")] }]);
    const section = screen.getByRole("region", { name: "Conversations" });
    const row = await within(section).findByRole("button", { name: /carol/ });
    dropFiles(row, [patternFile(2, "photo.jpg", "image/jpeg")]);
    await vi.waitFor(() => expect(api.sendFile).toHaveBeenCalledTimes(1));
    expect(sentTo(api)).toEqual([[WORK, "carol@z.org"]]);
    expect(await screen.findByRole("region", { name: "Conversation with carol" })).toBeTruthy();
  });
});

describe("the composer's files", () => {
  it("attaches picked files with the Attach files button", async () => {
    const api = createFakeApi(onlineSnapshot({ roster: [rosterItem("alice@x.org", "Alice")] }));
    await renderApp(api);
    const conversation = await openAlice();
    const button = within(conversation).getByRole("button", { name: "Attach files" });
    const input = conversation.querySelector<HTMLInputElement>('input[type="file"]')!;
    expect(input.multiple).toBe(true);
    const opened = vi.spyOn(input, "click").mockImplementation(() => {});
    await fireEvent.click(button);
    expect(opened).toHaveBeenCalled();

    Object.defineProperty(input, "files", {
      configurable: true,
      value: [patternFile(7, "picked.txt")],
    });
    await fireEvent.change(input);
    await vi.waitFor(() => expect(api.sendFile).toHaveBeenCalledTimes(1));
    expect(sentTo(api)).toEqual([[ME, "alice@x.org"]]);
    expect(api.beginFile).toHaveBeenCalledWith(expect.objectContaining({ name: "picked.txt" }));
  });

  it("sends a pasted image, and leaves pasted text to the text box", async () => {
    const api = createFakeApi(onlineSnapshot({ roster: [rosterItem("alice@x.org", "Alice")] }));
    await renderApp(api);
    await openAlice();
    const box = screen.getByRole("textbox", { name: "Message to Alice" });
    const paste = (files: File[]) => {
      const event = new Event("paste", { bubbles: true, cancelable: true });
      Object.defineProperty(event, "clipboardData", {
        value: { files, types: files.length ? ["Files"] : ["text/plain"] },
      });
      box.dispatchEvent(event);
      return event;
    };
    expect(paste([]).defaultPrevented).toBe(false);
    expect(api.beginFile).not.toHaveBeenCalled();

    expect(paste([patternFile(9, "image.png", "image/png")]).defaultPrevented).toBe(true);
    await vi.waitFor(() => expect(api.sendFile).toHaveBeenCalledTimes(1));
    expect(api.beginFile).toHaveBeenCalledWith({
      name: "image.png",
      size: 9,
      mediaType: "image/png",
    });
  });
});
