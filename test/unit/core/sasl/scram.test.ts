import { describe, expect, it } from "vitest";
import { SaslSecurityError, type SaslExchange } from "../../../../main/core/sasl/mechanism";
import { createScram, type ScramOptions } from "../../../../main/core/sasl/scram";
import { testScramServer } from "./scram-server";

const text = (value: string) => Buffer.from(value, "utf8");

function scram(overrides: Partial<ScramOptions> = {}): SaslExchange {
  return createScram({
    hash: "sha256",
    username: "user",
    password: "pencil",
    channelBinding: null,
    clientSupportsCbButServerDidNotOffer: false,
    domain: "example.org",
    ...overrides,
  });
}

async function failure(step: () => unknown): Promise<SaslSecurityError> {
  try {
    await step();
  } catch (error) {
    expect(error).toBeInstanceOf(SaslSecurityError);
    return error as SaslSecurityError;
  }
  throw new Error("expected a SaslSecurityError");
}

/** Runs a whole exchange against the test server and returns what it saw. */
async function handshake(exchange: SaslExchange, server: ReturnType<typeof testScramServer>) {
  const clientFirst = exchange.initialResponse();
  const clientFinal = await exchange.challenge(server.first(clientFirst));
  const result = server.final(clientFinal);
  return { clientFirst, clientFinal, ...result };
}

describe("SCRAM test vectors", () => {
  it("RFC 5802 §5, SCRAM-SHA-1", async () => {
    const exchange = scram({ hash: "sha1", nonce: "fyko+d2lbbFgONRv9qkxdawL" });
    expect(exchange.name).toBe("SCRAM-SHA-1");
    expect(exchange.initialResponse().toString()).toBe("n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL");
    const clientFinal = await exchange.challenge(
      text("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096"),
    );
    expect(clientFinal.toString()).toBe(
      "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
    );
    expect(() => exchange.success(text("v=rmF9pqV8S7suAoZWja4dJRkFsKQ="))).not.toThrow();
  });

  it("RFC 7677 §3, SCRAM-SHA-256", async () => {
    const exchange = scram({ nonce: "rOprNGfwEbeRWgbNEkqO" });
    expect(exchange.name).toBe("SCRAM-SHA-256");
    expect(exchange.initialResponse().toString()).toBe("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
    const clientFinal = await exchange.challenge(
      text(
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
      ),
    );
    expect(clientFinal.toString()).toBe(
      "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0," +
        "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
    );
    expect(() =>
      exchange.success(text("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")),
    ).not.toThrow();
  });

  it("accepts server-final in a challenge, then an empty success", async () => {
    const exchange = scram({ nonce: "rOprNGfwEbeRWgbNEkqO" });
    exchange.initialResponse();
    await exchange.challenge(
      text(
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
      ),
    );
    const answer = await exchange.challenge(text("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="));
    expect(answer.length).toBe(0);
    expect(() => exchange.success(null)).not.toThrow();
  });
});

describe("SCRAM refuses a server that cannot prove itself", () => {
  const serverFirst = (nonce: string, rest = ",s=QSXCR+Q6sek8bf92,i=4096") =>
    text(`r=${nonce}${rest}`);

  it("rejects a nonce that does not continue the client's", async () => {
    const exchange = scram({ nonce: "clientnonce" });
    exchange.initialResponse();
    const error = await failure(() => exchange.challenge(serverFirst("foreignnonce123")));
    expect(error.code).toBe("sasl-bad-nonce");
  });

  it("rejects a server nonce that adds nothing", async () => {
    const exchange = scram({ nonce: "clientnonce" });
    exchange.initialResponse();
    expect((await failure(() => exchange.challenge(serverFirst("clientnonce")))).code).toBe(
      "sasl-bad-nonce",
    );
  });

  it("rejects fewer than 4096 iterations, and fewer than a raised minimum", async () => {
    for (const [count, minIterations] of [
      [1, undefined],
      [4095, undefined],
      [4096, 10_000],
    ] as const) {
      const exchange = scram({ nonce: "abc", minIterations });
      exchange.initialResponse();
      const error = await failure(() =>
        exchange.challenge(serverFirst("abcdef", `,s=QSXCR+Q6sek8bf92,i=${count}`)),
      );
      expect(error.code).toBe("sasl-weak-iterations");
      expect(error.message).toContain(`only ${count} rounds`);
    }
  });

  it("rejects an iteration count too large to compute", async () => {
    const exchange = scram({ nonce: "abc" });
    exchange.initialResponse();
    const error = await failure(() =>
      exchange.challenge(serverFirst("abcdef", ",s=QSXCR+Q6sek8bf92,i=999999999")),
    );
    expect(error.code).toBe("sasl-protocol");
  });

  it("rejects a missing or non-base64 salt", async () => {
    for (const rest of [",i=4096", ",s=,i=4096", ",s=not*base64,i=4096", ",s=QSX,i=4096"]) {
      const exchange = scram({ nonce: "abc" });
      exchange.initialResponse();
      expect((await failure(() => exchange.challenge(serverFirst("abcdef", rest)))).code).toBe(
        "sasl-protocol",
      );
    }
  });

  it("rejects a wrong server signature", async () => {
    const exchange = scram({ hash: "sha1", nonce: "fyko+d2lbbFgONRv9qkxdawL" });
    exchange.initialResponse();
    await exchange.challenge(
      text("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096"),
    );
    const error = await failure(() => exchange.success(text("v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=")));
    expect(error.code).toBe("sasl-server-unverified");
    expect(error.message).toBe(
      "The server could not prove it knows your password. Wren did not sign in: someone may be impersonating example.org.",
    );
  });

  it("rejects success without a server signature", async () => {
    const exchange = scram({ hash: "sha1", nonce: "fyko+d2lbbFgONRv9qkxdawL" });
    exchange.initialResponse();
    await exchange.challenge(
      text("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096"),
    );
    expect((await failure(() => exchange.success(null))).code).toBe("sasl-server-unverified");
  });

  it("rejects success before the client has even sent its proof", async () => {
    const exchange = scram();
    exchange.initialResponse();
    expect((await failure(() => exchange.success(null))).code).toBe("sasl-server-unverified");
    const other = scram();
    other.initialResponse();
    expect((await failure(() => other.success(text("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")))).code).toBe(
      "sasl-server-unverified",
    );
  });

  it("stays failed after an error", async () => {
    const exchange = scram({ nonce: "abc" });
    exchange.initialResponse();
    await failure(() => exchange.challenge(serverFirst("evil")));
    expect((await failure(() => exchange.challenge(serverFirst("abcdef")))).code).toBe(
      "sasl-protocol",
    );
  });

  it("turns a server e= into a readable error", async () => {
    const exchange = scram({ hash: "sha1", nonce: "fyko+d2lbbFgONRv9qkxdawL" });
    exchange.initialResponse();
    await exchange.challenge(
      text("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096"),
    );
    const error = await failure(() => exchange.success(text("e=invalid-proof")));
    expect(error.code).toBe("sasl-protocol");
    expect(error.message).toBe(
      "The server for example.org refused the sign-in because the address or password is wrong (invalid-proof).",
    );
  });

  it("treats a channel-binding mismatch reported by the server as interference", async () => {
    const exchange = scram({ hash: "sha1", nonce: "fyko+d2lbbFgONRv9qkxdawL" });
    exchange.initialResponse();
    await exchange.challenge(
      text("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096"),
    );
    const error = await failure(() => exchange.challenge(text("e=channel-bindings-dont-match")));
    expect(error.code).toBe("sasl-downgrade");
    expect(error.message).toContain("interfering");
  });

  it("rejects an unknown mandatory extension", async () => {
    const exchange = scram({ nonce: "abc" });
    exchange.initialResponse();
    const error = await failure(() =>
      exchange.challenge(text("m=must-understand,r=abcdef,s=QSXCR+Q6sek8bf92,i=4096")),
    );
    expect(error.code).toBe("sasl-protocol");
    expect(error.message).toContain("extension");
  });

  it("rejects malformed messages and invalid UTF-8", async () => {
    for (const data of [
      text("garbage"),
      text("s=QSXCR+Q6sek8bf92,r=abcdef,i=4096"),
      Buffer.from([0xff, 0xfe]),
    ]) {
      const exchange = scram({ nonce: "abc" });
      exchange.initialResponse();
      expect((await failure(() => exchange.challenge(data))).code).toBe("sasl-protocol");
    }
  });
});

describe("SCRAM against a test server", () => {
  it("completes with a random nonce and a proof the server accepts", async () => {
    const exchange = scram({ password: "correct horse" });
    const server = testScramServer({ hash: "sha256", password: "correct horse" });
    const result = await handshake(exchange, server);
    expect(result.proofValid).toBe(true);
    expect(() => exchange.success(result.serverFinal)).not.toThrow();
  });

  it("produces a proof the server rejects for the wrong password", async () => {
    const exchange = scram({ password: "wrong" });
    const result = await handshake(
      exchange,
      testScramServer({ hash: "sha256", password: "right" }),
    );
    expect(result.proofValid).toBe(false);
    expect((await failure(() => exchange.success(result.serverFinal))).code).toBe(
      "sasl-server-unverified",
    );
  });

  it("escapes '=' and ',' in the username", () => {
    const exchange = scram({ username: "a=b,c" });
    expect(exchange.initialResponse().toString()).toMatch(/^n,,n=a=3Db=2Cc,r=/);
  });

  it("applies SASLprep to the password", async () => {
    // U+2168 ROMAN NUMERAL NINE is "IX" after NFKC; the server stored the prepared form.
    const exchange = scram({ password: "\u2168" });
    const result = await handshake(exchange, testScramServer({ hash: "sha256", password: "IX" }));
    expect(result.proofValid).toBe(true);
  });

  it("binds SCRAM-SHA-256-PLUS to the channel: c= is the gs2 header plus the binding data", async () => {
    const data = Buffer.from("0123456789abcdef0123456789abcdef");
    const exchange = scram({ channelBinding: { type: "tls-exporter", data } });
    expect(exchange.name).toBe("SCRAM-SHA-256-PLUS");
    const result = await handshake(
      exchange,
      testScramServer({ hash: "sha256", password: "pencil" }),
    );
    expect(result.clientFirst.toString()).toMatch(/^p=tls-exporter,,n=user,r=/);
    expect(result.channelBinding).toEqual(Buffer.concat([Buffer.from("p=tls-exporter,,"), data]));
    expect(result.proofValid).toBe(true);
    expect(() => exchange.success(result.serverFinal)).not.toThrow();
  });

  it("names SCRAM-SHA-1-PLUS with tls-server-end-point", async () => {
    const data = Buffer.alloc(32, 7);
    const exchange = scram({
      hash: "sha1",
      channelBinding: { type: "tls-server-end-point", data },
    });
    expect(exchange.name).toBe("SCRAM-SHA-1-PLUS");
    const result = await handshake(exchange, testScramServer({ hash: "sha1", password: "pencil" }));
    expect(result.channelBinding.subarray(0, 24).toString()).toBe("p=tls-server-end-point,,");
    expect(result.channelBinding.subarray(24)).toEqual(data);
  });

  it("sends the gs2 'y' flag when the server offered no -PLUS", async () => {
    const exchange = scram({ clientSupportsCbButServerDidNotOffer: true });
    const result = await handshake(
      exchange,
      testScramServer({ hash: "sha256", password: "pencil" }),
    );
    expect(result.clientFirst.toString()).toMatch(/^y,,n=user,r=/);
    expect(result.clientFinal.toString()).toMatch(/^c=eSws,/);
    expect(result.proofValid).toBe(true);
  });

  it("sends 'n' without channel binding or the y flag", async () => {
    const result = await handshake(
      scram(),
      testScramServer({ hash: "sha256", password: "pencil" }),
    );
    expect(result.clientFirst.toString()).toMatch(/^n,,/);
    expect(result.clientFinal.toString()).toMatch(/^c=biws,/);
  });

  it("refuses contradictory channel-binding options", () => {
    expect(() =>
      scram({
        channelBinding: { type: "tls-exporter", data: Buffer.alloc(32) },
        clientSupportsCbButServerDidNotOffer: true,
      }),
    ).toThrow(TypeError);
  });
});

describe("SCRAM's key derivation", () => {
  it("leaves the event loop free while it runs, even at 1,000,000 iterations", async () => {
    const exchange = scram({ nonce: "abc" });
    exchange.initialResponse();
    const events: string[] = [];
    const turned = new Promise<void>((resolve) =>
      setImmediate(() => {
        events.push("the event loop turned");
        resolve();
      }),
    );
    const answered = exchange
      .challenge(text("r=abcdef,s=QSXCR+Q6sek8bf92,i=1000000"))
      .then(() => events.push("the answer was computed"));
    await Promise.all([turned, answered]);
    expect(events).toEqual(["the event loop turned", "the answer was computed"]);
  }, 30_000);

  it("fails when the server speaks again before the answer is ready", async () => {
    const outOfTurn = [
      (exchange: SaslExchange) => exchange.challenge(text("r=abcdef,s=QSXCR+Q6sek8bf92,i=4096")),
      (exchange: SaslExchange) => exchange.success(text("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")),
    ];
    for (const speak of outOfTurn) {
      const exchange = scram({ nonce: "abc" });
      exchange.initialResponse();
      const answer = exchange.challenge(text("r=abcdef,s=QSXCR+Q6sek8bf92,i=4096"));
      expect((await failure(() => speak(exchange))).code).toMatch(
        /^sasl-(protocol|server-unverified)$/,
      );
      expect((await failure(() => answer)).code).toBe("sasl-protocol");
      expect((await failure(() => exchange.success(null))).code).toBe("sasl-server-unverified");
    }
  });
});
