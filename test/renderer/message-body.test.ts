import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import MessageBody from "../../renderer/lib/components/MessageBody.svelte";

describe("MessageBody", () => {
  it("shows markup in a body literally, as text", () => {
    const { container } = render(MessageBody, {
      body: '<b>bold</b> <img src=x onerror="alert(1)">',
      onopenlink: vi.fn(),
    });
    expect(container.querySelector("b, img")).toBeNull();
    expect(container.textContent).toBe('<b>bold</b> <img src=x onerror="alert(1)">');
  });

  it("makes only http(s) and mailto links, and opens them through the callback", async () => {
    const onopenlink = vi.fn();
    render(MessageBody, {
      body: "go https://example.org/x or javascript:alert(1) now",
      onopenlink,
    });
    const links = screen.getAllByRole("link");
    expect(links).toHaveLength(1);
    expect(links[0]?.getAttribute("href")).toBe("https://example.org/x");
    expect(screen.getByText(/javascript:alert\(1\) now/)).toBeTruthy();

    const notPrevented = await fireEvent.click(links[0]!);
    expect(notPrevented).toBe(false);
    expect(onopenlink).toHaveBeenCalledWith("https://example.org/x");
  });
});
