import { describe, expect, it } from "vitest";
import {
  keychainErrorReason,
  keychainTimeoutReason,
  keytarMissingReason,
} from "../../../main/credentials/keychain-reason";

// The messages below are what keytar 7.9 really rejected with on Debian 12 (see ENVIRONMENT.md and
// the integration test), plus the macOS and Windows ones it documents.
describe("keychainErrorReason", () => {
  it.each([
    ["Cannot autolaunch D-Bus without X11 $DISPLAY", /No Secret Service \(keychain\) is running/],
    ["Could not connect: No such file or directory", /no desktop session bus \(D-Bus\)/],
    [
      "Error spawning command line “dbus-launch --autolaunch=3d12 --binary-syntax --close-stderr”: Child process exited with code 1",
      /No Secret Service \(keychain\) is running/,
    ],
    [
      "The name org.freedesktop.secrets was not provided by any .service files",
      /none is installed that could be started/,
    ],
    [
      "Object does not exist at path “/org/freedesktop/secrets/collection/login”",
      /locked or has no default keyring/,
    ],
    ["Cannot create an item in a locked collection", /locked/],
    ["User canceled the operation.", /locked/],
  ])("%s", (message, reason) => {
    expect(keychainErrorReason(new Error(message))).toMatch(reason);
  });

  it("passes anything else on, still in a sentence", () => {
    expect(keychainErrorReason(new Error("Something odd"))).toBe(
      "The system keychain refused the request (Something odd).",
    );
    expect(keychainErrorReason("")).toBe(
      "The system keychain refused the request (no details given).",
    );
  });

  it("words timeouts and a missing native module plainly", () => {
    expect(keychainTimeoutReason(10_000)).toBe(
      "The system keychain did not answer within 10 seconds.",
    );
    expect(keychainTimeoutReason(200)).toBe("The system keychain did not answer within 1 second.");
    expect(
      keytarMissingReason(new Error("Cannot find module '../build/Release/keytar.node'")),
    ).toMatch(/^Wren's keychain module \(keytar\) could not be loaded \(Cannot find module/);
  });
});
