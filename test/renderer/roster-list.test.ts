import { fireEvent, render, screen } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import RosterList, { ROW_HEIGHT } from "../../renderer/lib/components/RosterList.svelte";
import { contactKey, RosterState } from "../../renderer/lib/state/roster.svelte";
import { manyContacts, ME, WORK } from "./fake-api";

function fiveThousand() {
  const { roster, presence } = manyContacts(5000);
  const state = new RosterState();
  state.applyRoster(ME, roster, [], true);
  state.applyPresence(ME, presence);
  state.commit();
  return { contacts: state.contacts, rows: state.rows };
}

function setup(unread = new Map<string, number>()) {
  const { contacts, rows } = fiveThousand();
  const onopen = vi.fn();
  const result = render(RosterList, { rows, selectedKey: null, unread, onopen });
  const listbox = screen.getByRole("listbox", { name: "Contacts" });
  return { contacts, onopen, listbox, ...result };
}

function positions(): number[] {
  return screen.getAllByRole("option").map((o) => Number(o.getAttribute("aria-posinset")));
}

describe("RosterList", () => {
  it("renders only a window of rows for 5,000 contacts, over a full-height spacer", () => {
    const { listbox, contacts } = setup();
    const options = screen.getAllByRole("option");
    expect(options.length).toBeGreaterThan(5);
    expect(options.length).toBeLessThanOrEqual(30);
    expect(options[0]?.textContent).toContain(contacts[0]!.displayName);
    expect(options[0]?.getAttribute("aria-setsize")).toBe("5000");
    const spacer = listbox.firstElementChild as HTMLElement;
    expect(spacer.style.height).toBe(`${5000 * ROW_HEIGHT}px`);
  });

  it("renders other rows when scrolled, still a bounded number", async () => {
    const { listbox, contacts } = setup();
    listbox.scrollTop = 2500 * ROW_HEIGHT;
    await fireEvent.scroll(listbox);
    const shown = positions();
    expect(shown.length).toBeLessThanOrEqual(30);
    expect(shown).toContain(2501);
    expect(shown).not.toContain(1);
    expect(screen.getByText(contacts[2500]!.displayName)).toBeTruthy();
  });

  it("moves the active row with the arrow keys, Home and End, scrolling it into the DOM", async () => {
    const { listbox, contacts, onopen } = setup();
    listbox.focus();
    await fireEvent.keyDown(listbox, { key: "ArrowDown" });
    await fireEvent.keyDown(listbox, { key: "ArrowDown" });
    let active = document.getElementById(listbox.getAttribute("aria-activedescendant")!);
    expect(active?.getAttribute("aria-posinset")).toBe("3");
    await fireEvent.keyDown(listbox, { key: "ArrowUp" });
    active = document.getElementById(listbox.getAttribute("aria-activedescendant")!);
    expect(active?.getAttribute("aria-posinset")).toBe("2");

    await fireEvent.keyDown(listbox, { key: "End" });
    active = document.getElementById(listbox.getAttribute("aria-activedescendant")!);
    expect(active?.getAttribute("aria-posinset")).toBe("5000");
    expect(active?.textContent).toContain(contacts[4999]!.displayName);
    expect(listbox.scrollTop).toBeGreaterThan(4000 * ROW_HEIGHT);
    expect(screen.getAllByRole("option").length).toBeLessThanOrEqual(30);

    await fireEvent.keyDown(listbox, { key: "Enter" });
    expect(onopen).toHaveBeenCalledWith(contacts[4999], [ME]);

    await fireEvent.keyDown(listbox, { key: "Home" });
    active = document.getElementById(listbox.getAttribute("aria-activedescendant")!);
    expect(active?.getAttribute("aria-posinset")).toBe("1");
    expect(listbox.scrollTop).toBe(0);
  });

  it("opens a contact on click and marks the selected one", async () => {
    const { contacts, onopen, rerender } = setup();
    await fireEvent.click(screen.getByText(contacts[3]!.displayName));
    expect(onopen).toHaveBeenCalledWith(contacts[3], [ME]);
    await rerender({ selectedKey: contacts[3]!.key });
    const selected = screen
      .getAllByRole("option")
      .filter((o) => o.getAttribute("aria-selected") === "true");
    expect(selected).toHaveLength(1);
    expect(selected[0]?.textContent).toContain(contacts[3]!.displayName);
  });

  it("shows unread counts with a text alternative and presence as text", () => {
    const { contacts } = fiveThousand();
    setup(new Map([[contacts[0]!.key, 3]]));
    const first = screen.getAllByRole("option")[0]!;
    expect(first.textContent?.replace(/\s+/g, " ")).toContain("3 unread messages");
    expect(first.textContent).toMatch(
      /Available|Free to chat|Away|Extended away|Do not disturb|Offline/,
    );
  });
});

describe("RosterList focus", () => {
  it("brings the open conversation into view when focused from the keyboard, not from a click", async () => {
    const { contacts, rows } = fiveThousand();
    render(RosterList, {
      rows,
      selectedKey: contacts[3000]!.key,
      unread: new Map(),
      onopen: vi.fn(),
    });
    const listbox = screen.getByRole("listbox");
    await fireEvent.pointerDown(listbox);
    await fireEvent.focus(listbox);
    await fireEvent.pointerUp(listbox);
    expect(listbox.scrollTop).toBe(0);

    await fireEvent.blur(listbox);
    await fireEvent.focus(listbox);
    const active = document.getElementById(listbox.getAttribute("aria-activedescendant")!);
    expect(active?.getAttribute("aria-posinset")).toBe("3001");
    expect(active?.getAttribute("aria-selected")).toBe("true");
  });
});

describe("RosterList with two accounts", () => {
  function twoAccounts() {
    const state = new RosterState();
    state.setAccountOrder([ME, WORK]);
    const first = manyContacts(3000);
    const second = manyContacts(3000, 2000);
    state.applyRoster(ME, first.roster, [], true);
    state.applyPresence(ME, first.presence);
    state.applyRoster(WORK, second.roster, [], true);
    state.applyPresence(WORK, second.presence);
    state.commit();
    return state;
  }
  const account = (id: string) => ({
    jid: id === ME ? "me@example.org" : "me@work.example",
    colour: id === ME ? 0 : 1,
    label: id === ME ? "me@example.org" : "me@work.example",
  });

  it("tags merged rows with every account the contact is on, in a bounded window", () => {
    const state = twoAccounts();
    state.filter = "person 2000";
    render(RosterList, {
      rows: state.rows,
      selectedKey: null,
      unread: new Map([[contactKey(WORK, "user02000@example.org"), 2]]),
      showAccounts: true,
      account,
      onopen: vi.fn(),
    });
    const options = screen.getAllByRole("option");
    expect(options.length).toBeLessThanOrEqual(30);
    expect(options[0]?.getAttribute("aria-setsize")).toBe(String(state.rows.length));
    const both = options.find((o) => o.textContent?.includes("Person 2000"));
    expect(both?.textContent).toContain("on me@example.org");
    expect(both?.textContent).toContain("on me@work.example");
    expect(both?.textContent).toContain("2 unread messages");
  });

  it("shows account headers as rows of the windowed list and skips them with the keyboard", async () => {
    const state = twoAccounts();
    state.groupByAccount = true;
    const onopen = vi.fn();
    render(RosterList, {
      rows: state.rows,
      selectedKey: null,
      unread: new Map(),
      showAccounts: true,
      account,
      onopen,
    });
    const listbox = screen.getByRole("listbox");
    expect(listbox.textContent).toContain("me@example.org");
    expect(listbox.textContent).toContain("3,000");
    const spacer = listbox.firstElementChild as HTMLElement;
    expect(spacer.style.height).toBe(`${6002 * ROW_HEIGHT}px`);
    expect(screen.getAllByRole("option").length).toBeLessThanOrEqual(30);

    listbox.focus();
    // The first active row is the first contact, after the header.
    let active = document.getElementById(listbox.getAttribute("aria-activedescendant")!);
    expect(active?.getAttribute("aria-posinset")).toBe("2");
    await fireEvent.keyDown(listbox, { key: "End" });
    await fireEvent.keyDown(listbox, { key: "Enter" });
    expect(onopen.mock.calls[0]?.[1]).toEqual([WORK]);

    // Scroll to the second header: it is rendered, and moving past it skips it.
    listbox.scrollTop = 3001 * ROW_HEIGHT;
    await fireEvent.scroll(listbox);
    expect(listbox.textContent).toContain("me@work.example");
    await fireEvent.keyDown(listbox, { key: "Home" });
    active = document.getElementById(listbox.getAttribute("aria-activedescendant")!);
    expect(active?.getAttribute("aria-posinset")).toBe("2");
  });
});
