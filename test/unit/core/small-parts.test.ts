import { checkServerIdentity, type PeerCertificate } from "node:tls";
import { afterEach, describe, expect, it, vi } from "vitest";
import { tlsOptionsFor } from "../../../main/core/transport/verified-tls-socket";
import { withDeadline } from "../../../main/shared/timeouts";
import { Emitter } from "../../../main/shared/emitter";
import { parseJid, requireBareJid, toBareJid } from "../../../main/core/jid";
import { captureLog } from "../credentials/capture-log";

describe("Emitter", () => {
  it("calls listeners until they unsubscribe, and survives a throwing one", () => {
    const errors: unknown[] = [];
    const emitter = new Emitter<{ ping: (n: number) => void }>((error) => errors.push(error));
    const seen: number[] = [];
    const off = emitter.on("ping", (n) => seen.push(n));
    emitter.on("ping", () => {
      throw new Error("listener bug");
    });
    emitter.emit("ping", 1);
    off();
    emitter.emit("ping", 2);
    expect(seen).toEqual([1]);
    expect(errors).toHaveLength(2);
  });

  describe("without an error handler", () => {
    const logLines = captureLog();

    it("logs a throwing listener", () => {
      const emitter = new Emitter<{ ping: () => void }>();
      emitter.on("ping", () => {
        throw new TypeError("listener bug");
      });
      expect(() => emitter.emit("ping")).not.toThrow();
      expect(logLines).toHaveLength(1);
      expect(logLines[0]).toMatch(/ERROR \[shared\/emitter\] an event listener failed/);
      expect(logLines[0]).toContain("TypeError");
    });
  });
});

describe("withDeadline", () => {
  const logLines = captureLog();
  afterEach(() => vi.useRealTimers());

  it("rejects with the timeout error when the work takes too long", async () => {
    vi.useFakeTimers();
    const never = new Promise<void>(() => {});
    const result = withDeadline(never, 20_000, () => new Error("too slow"));
    vi.advanceTimersByTime(20_000);
    await expect(result).rejects.toThrow("too slow");
  });

  it("settles like the work when it is in time, and logs a late rejection", async () => {
    await expect(withDeadline(Promise.resolve(7), 1_000, () => new Error("x"))).resolves.toBe(7);
    await expect(
      withDeadline(Promise.reject(new Error("early")), 1_000, () => new Error("x")),
    ).rejects.toThrow("early");
    expect(logLines).toEqual([]);

    let rejectLate!: (error: Error) => void;
    const late = new Promise<void>((_, reject) => (rejectLate = reject));
    vi.useFakeTimers();
    const result = withDeadline(late, 10, () => new Error("deadline"));
    vi.advanceTimersByTime(10);
    await expect(result).rejects.toThrow("deadline");
    rejectLate(new RangeError("late: quoting hunter2")); // must not become an unhandled rejection
    await late.catch(() => {});
    expect(logLines).toHaveLength(1);
    expect(logLines[0]).toMatch(/work failed after its deadline .*RangeError/);
    expect(logLines[0]).not.toContain("hunter2");
  });
});

describe("JIDs", () => {
  it("parses and lower-cases local part and domain, not the resource", () => {
    expect(parseJid("Alice@Example.ORG/Phone")).toEqual({
      local: "alice",
      domain: "example.org",
      resource: "Phone",
    });
    expect(toBareJid("example.org")).toBe("example.org");
    expect(toBareJid("alice@example.org.")).toBe("alice@example.org");
  });

  it.each(["", "@example.org", "alice@", "alice@exa mple.org", "a@b@c", "alice@example.org/"])(
    "rejects %j",
    (value) => {
      expect(toBareJid(value)).toBeNull();
    },
  );

  it("requireBareJid throws a readable invalid-argument error", () => {
    expect(() => requireBareJid("not an address")).toThrowError(
      expect.objectContaining({ code: "invalid-argument" }),
    );
  });
});

describe("tlsOptionsFor", () => {
  const certFor = (altNames: string) =>
    ({ subject: { CN: "x" }, subjectaltname: altNames }) as unknown as PeerCertificate;

  it("checks the certificate against the account's domain, not the host dialled", () => {
    const options = tlsOptionsFor("example.org", true);
    expect(options.servername).toBe("example.org");
    expect(options.ALPNProtocols).toEqual(["xmpp-client"]);
    expect(options.checkServerIdentity("203.0.113.7", certFor("DNS:example.org"))).toBeUndefined();
    expect(options.checkServerIdentity("example.org", certFor("DNS:other.example"))).toBeInstanceOf(
      Error,
    );
    // Same verdicts as Node's own check for the domain.
    expect(checkServerIdentity("example.org", certFor("DNS:example.org"))).toBeUndefined();
  });

  it("sends SNI without ALPN for STARTTLS", () => {
    const options = tlsOptionsFor("example.org", false);
    expect(options.servername).toBe("example.org");
    expect("ALPNProtocols" in options).toBe(false);
  });

  it("sends no SNI for an IP-literal domain but still checks it", () => {
    const options = tlsOptionsFor("127.0.0.1", true);
    expect(options.servername).toBeUndefined();
    expect(
      options.checkServerIdentity("localhost", certFor("IP Address:127.0.0.1")),
    ).toBeUndefined();
  });
});
