import { fireEvent, render, screen, within } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Attachment } from "../../preload/contract";
import App from "../../renderer/App.svelte";
import FileCard from "../../renderer/lib/components/FileCard.svelte";
import { conversationFiles } from "../../renderer/lib/files/conversation-files";
import { WrenApp } from "../../renderer/lib/state/app.svelte";
import {
  createFakeApi,
  ME,
  message,
  ok,
  onlineSnapshot,
  rosterItem,
  transfer,
  type FakeApi,
} from "./fake-api";

const PEER = "alice@x.org";

function attachment(overrides: Partial<Attachment> = {}): Attachment {
  return {
    url: "https://upload.x.org/abc/report.pdf",
    name: "report.pdf",
    size: 2 * 1024 * 1024,
    mediaType: "application/pdf",
    ...overrides,
  };
}

async function renderCard(file: Attachment, api: FakeApi = createFakeApi(onlineSnapshot())) {
  const app = new WrenApp(api, { attentive: () => true });
  await app.start();
  render(FileCard, { attachment: file, messageId: "m1", files: conversationFiles(app, ME, PEER) });
  const card = screen.getByRole("group", { name: `File: ${file.name}` });
  return { api, app, card };
}

const drawImage = vi.fn();

beforeEach(() => {
  drawImage.mockClear();
  // jsdom draws nothing: a 2D context that records what is drawn.
  vi.spyOn(HTMLCanvasElement.prototype, "getContext").mockImplementation(
    () => ({ drawImage }) as unknown as CanvasRenderingContext2D,
  );
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe("FileCard", () => {
  it("shows the file's name as text (never markup), its size and type, and a Download button", async () => {
    const name = '<img src=x onerror="alert(1)"><b>bold</b>.pdf';
    const { card, api } = await renderCard(attachment({ name }));
    expect(card.querySelector("img, b")).toBeNull();
    const shown = card.querySelector(".name")!;
    expect(shown.textContent).toBe(name);
    expect(shown.getAttribute("title")).toBe(name);
    expect(card.textContent).toContain("2 MB · PDF");
    expect(within(card).getByRole("button", { name: `Download ${name}` })).toBeTruthy();
    // Everything was known: no question to the file's server, no preview for a PDF.
    expect(api.fileInfo).not.toHaveBeenCalled();
    expect(api.filePreview).not.toHaveBeenCalled();
    expect(api.downloadFile).not.toHaveBeenCalled();
  });

  it("asks the file's server for the size and type when the message did not tell them", async () => {
    const api = createFakeApi(onlineSnapshot());
    api.fileInfo = vi.fn(async () => ok({ size: 1536, mediaType: "application/zip" }));
    const { card } = await renderCard(
      attachment({ name: "archive", size: null, mediaType: null }),
      api,
    );
    await vi.waitFor(() => expect(card.textContent).toContain("1.5 KB · application/zip"));
    expect(api.fileInfo).toHaveBeenCalledTimes(1);
    expect(api.fileInfo).toHaveBeenCalledWith({ accountId: ME, peer: PEER, messageId: "m1" });
  });

  it("downloads on request, with progress, cancel, and Open and Show in folder once saved", async () => {
    const { card, api } = await renderCard(attachment());
    api.downloadFile = vi.fn(async () =>
      ok(transfer({ id: "d1", direction: "download", messageId: "m1", size: 2_000_000 })),
    );
    await fireEvent.click(within(card).getByRole("button", { name: "Download report.pdf" }));
    expect(api.downloadFile).toHaveBeenCalledWith({ accountId: ME, peer: PEER, messageId: "m1" });

    api.emit([
      {
        type: "transfers",
        changed: [
          transfer({
            id: "d1",
            direction: "download",
            messageId: "m1",
            size: 2_000_000,
            transferred: 1_000_000,
            rate: 500_000,
          }),
        ],
        removed: [],
      },
    ]);
    const bar = await within(card).findByRole("progressbar", { name: "Downloading report.pdf" });
    expect(bar.getAttribute("aria-valuenow")).toBe("50");
    expect(bar.getAttribute("aria-valuemin")).toBe("0");
    expect(bar.getAttribute("aria-valuemax")).toBe("100");
    expect(card.textContent).toContain("50%");
    expect(card.textContent).toContain("488 KB/s");
    expect(card.textContent).toContain("2 s left");

    await fireEvent.click(
      within(card).getByRole("button", { name: "Cancel the download of report.pdf" }),
    );
    expect(api.cancelTransfer).toHaveBeenCalledWith({ id: "d1" });

    api.emit([
      {
        type: "transfers",
        changed: [
          transfer({
            id: "d1",
            direction: "download",
            messageId: "m1",
            state: "done",
            transferred: 2_000_000,
            size: 2_000_000,
            savedName: "report (1).pdf",
          }),
        ],
        removed: [],
      },
    ]);
    await vi.waitFor(() => expect(card.textContent).toContain("Saved as report (1).pdf"));
    expect(within(card).queryByRole("progressbar")).toBeNull();
    await fireEvent.click(within(card).getByRole("button", { name: "Open report.pdf" }));
    expect(api.openDownload).toHaveBeenCalledWith({ id: "d1" });
    await fireEvent.click(within(card).getByRole("button", { name: "Show in folder: report.pdf" }));
    expect(api.showDownload).toHaveBeenCalledWith({ id: "d1" });
  });

  it("shows why a download failed and tries again", async () => {
    const snapshot = onlineSnapshot();
    snapshot.transfers = [
      transfer({
        id: "d1",
        direction: "download",
        messageId: "m1",
        state: "failed",
        error: "The server sent more bytes than it announced.",
      }),
    ];
    const { card, api } = await renderCard(attachment(), createFakeApi(snapshot));
    expect(card.textContent).toContain(
      "Download failed: The server sent more bytes than it announced.",
    );
    await fireEvent.click(
      within(card).getByRole("button", { name: "Try again to download report.pdf" }),
    );
    expect(api.downloadFile).toHaveBeenCalledTimes(1);
  });

  it("shows a refused download's reason", async () => {
    const api = createFakeApi(onlineSnapshot());
    api.downloadFile = vi.fn(async () => ({
      ok: false as const,
      error: { code: "not-available" as const, message: "Only https links are downloaded." },
    }));
    const { card } = await renderCard(attachment(), api);
    await fireEvent.click(within(card).getByRole("button", { name: "Download report.pdf" }));
    expect((await within(card).findByRole("alert")).textContent).toContain(
      "Only https links are downloaded.",
    );
  });

  it("draws an image's preview, decoded in the page, asked once, named for screen readers", async () => {
    const bitmap = { width: 200, height: 100, close: vi.fn() };
    const decode = vi.fn(async () => bitmap);
    vi.stubGlobal("createImageBitmap", decode);
    const api = createFakeApi(onlineSnapshot());
    api.filePreview = vi.fn(async () => ok({ mediaType: "image/png", data: "iVBORw0KGgo=" }));
    const { card } = await renderCard(
      attachment({ name: "cat.png", mediaType: null, size: 5000 }),
      api,
    );
    const image = await within(card).findByRole("img", { name: "Image: cat.png" });
    const canvas = image.querySelector("canvas")!;
    expect(canvas.width).toBe(200);
    expect(canvas.style.width).toBe("200px");
    expect(drawImage).toHaveBeenCalledWith(bitmap, 0, 0);
    expect(api.filePreview).toHaveBeenCalledTimes(1);
    // Nothing is opened or saved by itself.
    expect(api.downloadFile).not.toHaveBeenCalled();
    expect(api.openDownload).not.toHaveBeenCalled();
  });

  it("shows no preview box when main has no preview for it", async () => {
    const { card, api } = await renderCard(
      attachment({ name: "huge.jpg", mediaType: "image/jpeg" }),
    );
    await vi.waitFor(() => expect(api.filePreview).toHaveBeenCalledTimes(1));
    await vi.waitFor(() => expect(card.querySelector(".preview")).toBeNull());
  });
});

describe("file messages in a conversation", () => {
  it("shows a message carrying a file as its card, not as its bare link", async () => {
    const api = createFakeApi(onlineSnapshot({ roster: [rosterItem(PEER, "Alice")] }));
    const url = "https://upload.x.org/abc/notes.txt";
    api.history = vi.fn(async () =>
      ok([
        message(PEER, url, {
          id: "m1",
          attachment: { url, name: "notes.txt", size: 12, mediaType: "text/plain" },
        }),
      ]),
    );
    render(App, { connect: async () => api });
    await fireEvent.click(await screen.findByRole("option", { name: /Alice/ }));
    const log = await screen.findByRole("log");
    const card = await within(log).findByRole("group", { name: "File: notes.txt" });
    expect(card.textContent).toContain("12 B · TXT");
    expect(within(log).queryByRole("link")).toBeNull();
    await fireEvent.click(within(card).getByRole("button", { name: "Download notes.txt" }));
    expect(api.downloadFile).toHaveBeenCalledWith({ accountId: ME, peer: PEER, messageId: "m1" });
  });
});
