import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import App from "../../renderer/App.svelte";
import TransferList from "../../renderer/lib/components/TransferList.svelte";
import type { UploadRow } from "../../renderer/lib/state/transfers.svelte";
import { createFakeApi, ok, onlineSnapshot, rosterItem, transfer, type FakeApi } from "./fake-api";

function row(overrides: Partial<UploadRow> = {}): UploadRow {
  return {
    id: "u1",
    name: "report.pdf",
    size: 4 * 1024 * 1024,
    transferred: 1024 * 1024,
    rate: 512 * 1024,
    state: "running",
    error: null,
    canRetry: false,
    ...overrides,
  };
}

function renderList(uploads: UploadRow[], notice: string | null = null) {
  const handlers = {
    oncancel: vi.fn(),
    onretry: vi.fn(),
    ondismiss: vi.fn(),
    ondismissnotice: vi.fn(),
  };
  render(TransferList, { uploads, notice, ...handlers });
  return handlers;
}

describe("TransferList", () => {
  it("shows nothing when no file is being sent", () => {
    renderList([]);
    expect(screen.queryByRole("region", { name: "Files being sent" })).toBeNull();
  });

  it("shows an upload's progress: percent, bytes of total, rate and time left; cancels it", async () => {
    const { oncancel } = renderList([row()]);
    const list = screen.getByRole("region", { name: "Files being sent" });
    const bar = within(list).getByRole("progressbar", { name: "Sending report.pdf" });
    expect(bar.getAttribute("aria-valuenow")).toBe("25");
    expect(bar.getAttribute("aria-valuetext")).toBe("25% · 1 MB of 4 MB · 512 KB/s · 6 s left");
    expect(list.textContent).toContain("25% · 1 MB of 4 MB · 512 KB/s · 6 s left");
    await fireEvent.click(within(list).getByRole("button", { name: "Cancel sending report.pdf" }));
    expect(oncancel).toHaveBeenCalledWith("u1");
    expect(within(list).queryByRole("button", { name: /Try again/ })).toBeNull();
  });

  it("shows a file being prepared, and one of unknown size without a percentage", () => {
    renderList([
      row({ id: "l1", name: "a.bin", state: "preparing", transferred: 0, size: 10, rate: null }),
      row({ id: "u2", name: "b.bin", size: null, rate: null }),
    ]);
    const preparing = screen.getByRole("progressbar", { name: "Preparing a.bin" });
    expect(preparing.getAttribute("aria-valuenow")).toBe("0");
    expect(screen.getByText("Preparing… 0% · 0 B of 10 B")).toBeTruthy();
    const unknown = screen.getByRole("progressbar", { name: "Sending b.bin" });
    expect(unknown.hasAttribute("aria-valuenow")).toBe(false);
  });

  it("shows why an upload failed, with Try again and Dismiss", async () => {
    const { onretry, ondismiss } = renderList([
      row({
        state: "failed",
        error: "The file is larger than the server's 10 MB limit.",
        canRetry: true,
      }),
      row({ id: "u2", name: "gone.txt", state: "cancelled", canRetry: false }),
    ]);
    expect(screen.getByRole("alert").textContent).toBe(
      "Not sent: The file is larger than the server's 10 MB limit.",
    );
    expect(screen.queryByRole("progressbar")).toBeNull();
    await fireEvent.click(screen.getByRole("button", { name: "Try again to send report.pdf" }));
    expect(onretry).toHaveBeenCalledWith("u1");
    await fireEvent.click(screen.getByRole("button", { name: "Dismiss report.pdf" }));
    expect(ondismiss).toHaveBeenCalledWith("u1");
    // Cancelled, and main cannot try again: only Dismiss.
    expect(screen.getByText("Cancelled: not sent.")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Try again to send gone.txt" })).toBeNull();
    expect(screen.getByRole("button", { name: "Dismiss gone.txt" })).toBeTruthy();
  });

  it("shows a note about files left out, which can be dismissed", async () => {
    const { ondismissnotice } = renderList([], "3 more files were not sent.");
    expect(screen.getByRole("status").textContent).toContain("3 more files were not sent.");
    await fireEvent.click(screen.getByRole("button", { name: "Dismiss this note" }));
    expect(ondismissnotice).toHaveBeenCalled();
  });
});

describe("the conversation's uploads", () => {
  async function openAlice(api: FakeApi) {
    render(App, { connect: async () => api });
    await fireEvent.click(await screen.findByRole("option", { name: /Alice/ }));
    return screen.findByRole("region", { name: "Conversation with Alice" });
  }

  it("follows main's progress events, and leaves the list once sent", async () => {
    const snapshot = onlineSnapshot({ roster: [rosterItem("alice@x.org", "Alice")] });
    snapshot.transfers = [transfer({ id: "u1", name: "movie.mkv", size: 1000 })];
    const api = createFakeApi(snapshot);
    const conversation = await openAlice(api);
    const bar = within(conversation).getByRole("progressbar", { name: "Sending movie.mkv" });
    expect(bar.getAttribute("aria-valuenow")).toBe("0");

    api.emit([
      {
        type: "transfers",
        changed: [
          transfer({ id: "u1", name: "movie.mkv", size: 1000, transferred: 400, rate: 200 }),
        ],
        removed: [],
      },
    ]);
    await vi.waitFor(() => expect(bar.getAttribute("aria-valuenow")).toBe("40"));
    expect(conversation.textContent).toContain("3 s left");

    await fireEvent.click(
      within(conversation).getByRole("button", { name: "Cancel sending movie.mkv" }),
    );
    expect(api.cancelTransfer).toHaveBeenCalledWith({ id: "u1" });

    api.emit([
      {
        type: "transfers",
        changed: [
          transfer({
            id: "u1",
            name: "movie.mkv",
            state: "done",
            transferred: 1000,
            messageId: "m1",
          }),
        ],
        removed: [],
      },
    ]);
    await vi.waitFor(() =>
      expect(within(conversation).queryByRole("region", { name: "Files being sent" })).toBeNull(),
    );
    expect(api.dismissTransfer).toHaveBeenCalledWith({ id: "u1" });
  });

  it("retries a failed upload, and dismisses one", async () => {
    const snapshot = onlineSnapshot({ roster: [rosterItem("alice@x.org", "Alice")] });
    snapshot.transfers = [
      transfer({
        id: "u1",
        name: "a.zip",
        state: "failed",
        error: "Upload slot expired.",
        canRetry: true,
      }),
      transfer({ id: "u2", name: "b.zip", state: "cancelled", canRetry: true }),
      // Another conversation's upload is not shown here.
      transfer({ id: "u3", peer: "bob@x.org", name: "c.zip" }),
    ];
    const api = createFakeApi(snapshot);
    api.retryTransfer = vi.fn(async () => ok(transfer({ id: "u1", name: "a.zip" })));
    const conversation = await openAlice(api);
    const list = within(conversation).getByRole("region", { name: "Files being sent" });
    expect(list.textContent).toContain("Not sent: Upload slot expired.");
    expect(list.textContent).not.toContain("c.zip");

    await fireEvent.click(within(list).getByRole("button", { name: "Try again to send a.zip" }));
    expect(api.retryTransfer).toHaveBeenCalledWith({ id: "u1" });
    expect(await within(list).findByRole("progressbar", { name: "Sending a.zip" })).toBeTruthy();

    await fireEvent.click(within(list).getByRole("button", { name: "Dismiss b.zip" }));
    expect(api.dismissTransfer).toHaveBeenCalledWith({ id: "u2" });
    await vi.waitFor(() => expect(list.textContent).not.toContain("b.zip"));
  });

  it("shows a file main would not take, by name, with the reason", async () => {
    const api = createFakeApi(onlineSnapshot({ roster: [rosterItem("alice@x.org", "Alice")] }));
    api.sendFile = vi.fn(async () => ({
      ok: false as const,
      error: {
        code: "file-too-large" as const,
        message: "The file is larger than the server's 10 MB limit.",
      },
    }));
    const conversation = await openAlice(api);
    const box = within(conversation).getByRole("textbox", { name: "Message to Alice" });
    const event = new Event("paste", { bubbles: true, cancelable: true });
    Object.defineProperty(event, "clipboardData", {
      value: { files: [new File(["x".repeat(20)], "big.png", { type: "image/png" })] },
    });
    box.dispatchEvent(event);
    const alert = await within(conversation).findByRole("alert");
    expect(alert.textContent).toBe("Not sent: The file is larger than the server's 10 MB limit.");
    expect(conversation.querySelector(".name[title='big.png']")).toBeTruthy();
    // Too large stays too large: only Dismiss.
    expect(within(conversation).queryByRole("button", { name: /Try again/ })).toBeNull();
    await fireEvent.click(within(conversation).getByRole("button", { name: "Dismiss big.png" }));
    await vi.waitFor(() => expect(conversation.querySelector(".name[title='big.png']")).toBeNull());
    expect(api.sendMessage).not.toHaveBeenCalled();
  });
});
