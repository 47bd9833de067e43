import { render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import MessageBody from "../../renderer/lib/components/MessageBody.svelte";

// How MessageBody shows what linkify finds; linkify.test.ts covers the finding itself.
describe("MessageBody links", () => {
  it("shows a URL hiding a right-to-left override as text with the override made visible", () => {
    const { container } = render(MessageBody, {
      body: "invoice: https://example.org/\u202egpj.exe",
      onopenlink: vi.fn(),
    });
    expect(container.querySelector("a")).toBeNull();
    expect(container.textContent).toBe("invoice: https://example.org/⟨U+202E⟩gpj.exe");
    expect(container.textContent).not.toContain("\u202e");
  });

  it("isolates links so direction controls in the text around them cannot reorder them", () => {
    render(MessageBody, {
      body: "\u202e see https://example.org/a and \u2067https://example.org/b",
      onopenlink: vi.fn(),
    });
    const links = screen.getAllByRole("link");
    expect(links.map((a) => a.getAttribute("href"))).toEqual([
      "https://example.org/a",
      "https://example.org/b",
    ]);
    for (const a of links) expect(a.getAttribute("dir")).toBe("ltr");
  });

  it("opens mailto links without fields other than to, cc, subject and body", () => {
    render(MessageBody, {
      body: "mailto:a@example.org?subject=Hi&attach=/etc/passwd",
      onopenlink: vi.fn(),
    });
    const a = screen.getByRole("link");
    expect(a.getAttribute("href")).toBe("mailto:a@example.org?subject=Hi");
    expect(a.getAttribute("title")).toBe("mailto:a@example.org?subject=Hi");
  });
});
