import { describe, expect, it } from "vitest";
import { chooseStore } from "../../../main/credentials/choose-store";
import type { Availability } from "../../../main/credentials/credential-store";

const up: Availability = { available: true };
const noKeychain: Availability = { available: false, reason: "No Secret Service is running." };
const weakSafeStorage: Availability = { available: false, reason: "basic_text is no protection." };

describe("chooseStore", () => {
  it.each([
    // keychain, safeStorage, saved choice → store used without asking
    [up, up, undefined, "keychain"],
    [up, weakSafeStorage, undefined, "keychain"],
    [up, up, "keychain", "keychain"],
    [up, up, "safe-storage", "safe-storage"],
    [noKeychain, up, "safe-storage", "safe-storage"],
    [up, up, "none", "none"],
    [noKeychain, weakSafeStorage, "none", "none"],
  ] as const)(
    "keychain %o, safeStorage %o, choice %s → %s",
    (keychain, safeStorage, choice, kind) => {
      expect(chooseStore({ keychain, safeStorage }, choice)).toEqual({ ask: false, kind });
    },
  );

  it("asks, with the keychain's reason, when there is no keychain and no choice yet", () => {
    expect(chooseStore({ keychain: noKeychain, safeStorage: up })).toEqual({
      ask: true,
      reason: "No Secret Service is running.",
      options: ["safe-storage", "none"],
      unavailable: { keychain: "No Secret Service is running." },
    });
  });

  it("offers only 'no saved password' when safeStorage would not protect anything", () => {
    expect(chooseStore({ keychain: noKeychain, safeStorage: weakSafeStorage })).toEqual({
      ask: true,
      reason: "No Secret Service is running.",
      options: ["none"],
      unavailable: {
        keychain: "No Secret Service is running.",
        "safe-storage": "basic_text is no protection.",
      },
    });
  });

  it("asks again, never falls back, when the keychain the user chose has gone", () => {
    const decision = chooseStore({ keychain: noKeychain, safeStorage: up }, "keychain");
    expect(decision).toMatchObject({ ask: true, options: ["safe-storage", "none"] });
  });

  it("asks again when the chosen safeStorage stopped working, offering the keychain if it works", () => {
    expect(chooseStore({ keychain: up, safeStorage: weakSafeStorage }, "safe-storage")).toEqual({
      ask: true,
      reason: "basic_text is no protection.",
      options: ["keychain", "none"],
      unavailable: { "safe-storage": "basic_text is no protection." },
    });
  });
});
