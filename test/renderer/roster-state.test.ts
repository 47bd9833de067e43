import { describe, expect, it } from "vitest";
import { compareContacts, RosterState } from "../../renderer/lib/state/roster.svelte";
import { manyContacts, ME, presence, rosterItem, WORK } from "./fake-api";

function names(state: RosterState) {
  return state.contacts.map((c) => c.displayName);
}

describe("RosterState", () => {
  it("sorts available contacts first, then by name, falling back to the JID's local part", () => {
    const roster = new RosterState();
    roster.applyRoster(
      ME,
      [rosterItem("zed@x.org", "Zed"), rosterItem("amy@x.org", "Amy"), rosterItem("bob@x.org")],
      [],
      true,
    );
    roster.applyPresence(ME, [presence("zed@x.org", "online"), presence("bob@x.org", "away")]);
    roster.commit();
    expect(names(roster)).toEqual(["Zed", "bob", "Amy"]);
    expect(roster.contact(ME, "amy@x.org")?.kind).toBe("offline");
    expect(roster.contact(ME, "bob@x.org")?.kind).toBe("away");
  });

  it("applies upserts, removals and presence without losing presence that arrived first", () => {
    const roster = new RosterState();
    roster.applyPresence(ME, [presence("new@x.org", "dnd", "busy")]);
    roster.applyRoster(ME, [rosterItem("a@x.org", "A"), rosterItem("new@x.org", "New")], [], true);
    roster.commit();
    expect(roster.contact(ME, "new@x.org")?.kind).toBe("dnd");

    roster.applyRoster(ME, [rosterItem("a@x.org", "Renamed")], ["new@x.org"], false);
    roster.commit();
    expect(names(roster)).toEqual(["Renamed"]);
    expect(roster.contact(ME, "new@x.org")).toBeUndefined();
  });

  it("treats subscription=remove as a removal", () => {
    const roster = new RosterState();
    roster.applyRoster(ME, [rosterItem("a@x.org"), rosterItem("b@x.org")], [], true);
    roster.commit();
    roster.applyRoster(ME, [{ ...rosterItem("a@x.org"), subscription: "remove" }], [], false);
    roster.commit();
    expect(roster.contacts.map((c) => c.jid)).toEqual(["b@x.org"]);
  });

  it("replaces the whole roster on reset", () => {
    const roster = new RosterState();
    roster.applyRoster(ME, [rosterItem("a@x.org"), rosterItem("b@x.org")], [], true);
    roster.commit();
    roster.applyRoster(ME, [rosterItem("c@x.org")], [], true);
    roster.commit();
    expect(roster.contacts.map((c) => c.jid)).toEqual(["c@x.org"]);
  });

  it("publishes one new array per commit and none when nothing changed", () => {
    const roster = new RosterState();
    roster.applyRoster(ME, [rosterItem("a@x.org")], [], true);
    roster.commit();
    const before = roster.contacts;
    roster.commit();
    expect(roster.contacts).toBe(before);
    roster.applyPresence(ME, [presence("a@x.org", "online")]);
    expect(roster.contacts).toBe(before); // not visible until the batch is committed
    roster.commit();
    expect(roster.contacts).not.toBe(before);
  });

  it("keeps 5,000 contacts sorted through small and large incremental batches", () => {
    const { roster: items, presence: presences } = manyContacts(5000);
    const roster = new RosterState();
    roster.applyRoster(ME, items, [], true);
    roster.applyPresence(ME, presences);
    roster.commit();
    expect(roster.size).toBe(5000);

    const untouched = new Map(roster.contacts.map((c) => [c.jid, c]));
    // A small batch moves only the contacts it names …
    roster.applyPresence(ME, [
      presence("user04999@example.org", "chat"),
      presence("user00000@example.org", null),
    ]);
    roster.applyRoster(
      ME,
      [rosterItem("user00010@example.org", "Aaron")],
      ["user00020@example.org"],
      false,
    );
    roster.commit();
    expect(roster.size).toBe(4999);
    expect(isSorted(roster.contacts)).toBe(true);
    const moved = roster.contacts.filter((c) => untouched.get(c.jid) !== c).map((c) => c.jid);
    expect(moved.sort()).toEqual([
      "user00000@example.org",
      "user00010@example.org",
      "user04999@example.org",
    ]);
    // user00010 is away: "Aaron" now heads the away group.
    expect(roster.contacts.find((c) => c.kind === "away")?.displayName).toBe("Aaron");

    // … and a flood re-sorts once.
    roster.applyPresence(
      ME,
      Array.from({ length: 1000 }, (_, i) =>
        presence(`user${String(i * 3).padStart(5, "0")}@example.org`, i % 2 ? "away" : null),
      ),
    );
    roster.commit();
    expect(isSorted(roster.contacts)).toBe(true);
    expect(new Set(roster.contacts.map((c) => c.jid)).size).toBe(4999);
  });

  it("filters 5,000 contacts by name or JID, case-insensitively", () => {
    const { roster: items, presence: presences } = manyContacts(5000);
    const roster = new RosterState();
    roster.applyRoster(ME, items, [], true);
    roster.applyPresence(ME, presences);
    roster.commit();

    roster.filter = "PERSON 4999";
    expect(roster.visible.map((c) => c.jid)).toEqual(["user04999@example.org"]);
    roster.filter = "user0012";
    expect(roster.visible).toHaveLength(10);
    expect(isSorted(roster.visible)).toBe(true);
    roster.filter = "  ";
    expect(roster.visible).toBe(roster.contacts);
  });

  it("merges two accounts' 5,000+ contacts, one row per JID, or groups them by account", () => {
    const first = manyContacts(3000);
    const second = manyContacts(3000, 2000); // user02000…user02999 are on both accounts
    const roster = new RosterState();
    roster.setAccountOrder([ME, WORK]);
    roster.applyRoster(ME, first.roster, [], true);
    roster.applyPresence(ME, first.presence);
    roster.applyRoster(WORK, second.roster, [], true);
    roster.applyPresence(WORK, second.presence);
    roster.commit();
    expect(roster.size).toBe(6000);
    expect(roster.accountsOf("user02500@example.org")).toEqual([ME, WORK]);
    expect(roster.accountsOf("user00001@example.org")).toEqual([ME]);

    const merged = roster.rows;
    expect(merged).toHaveLength(5000);
    const shared = merged.find(
      (r) => r.kind === "contact" && r.contact.jid === "user02500@example.org",
    );
    expect(shared?.kind === "contact" && shared.accountIds).toEqual([ME, WORK]);

    roster.groupByAccount = true;
    const grouped = roster.rows;
    expect(grouped).toHaveLength(6002);
    expect(grouped[0]).toMatchObject({ kind: "header", accountId: ME, count: 3000 });
    expect(grouped[3001]).toMatchObject({ kind: "header", accountId: WORK, count: 3000 });
    expect(
      grouped.slice(1, 3001).every((r) => r.kind === "contact" && r.contact.accountId === ME),
    ).toBe(true);

    roster.filter = "person 2500";
    expect(roster.rows.map((r) => r.kind)).toEqual(["header", "contact", "header", "contact"]);

    // A reset of one account leaves the other alone.
    roster.applyRoster(WORK, [], [], true);
    roster.commit();
    expect(roster.size).toBe(3000);
    expect(roster.accountsOf("user02500@example.org")).toEqual([ME]);
  });

  it("sorts 5,000 contacts quickly", () => {
    const { roster: items, presence: presences } = manyContacts(5000);
    const roster = new RosterState();
    const start = performance.now();
    roster.applyRoster(ME, items, [], true);
    roster.applyPresence(ME, presences);
    roster.commit();
    for (let i = 0; i < 100; i++) {
      roster.applyPresence(ME, [
        presence(`user${String(i * 37).padStart(5, "0")}@example.org`, "xa"),
      ]);
      roster.commit();
    }
    // Generous bound for slow CI machines; typically well under 100 ms.
    expect(performance.now() - start).toBeLessThan(1500);
    expect(isSorted(roster.contacts)).toBe(true);
  });
});

function isSorted(list: readonly Parameters<typeof compareContacts>[0][]): boolean {
  return list.every((c, i) => i === 0 || compareContacts(list[i - 1]!, c) < 0);
}
