import { createHash, createHmac, pbkdf2Sync, timingSafeEqual } from "node:crypto";

/** A minimal SCRAM server for tests: it checks Wren's proof and signs its own final message. */
export interface TestScramServer {
  /** server-first-message for the client-first Wren sent. */
  first(clientFirst: Buffer): Buffer;
  /** Checks client-final; returns server-final ("v=...") and what the client bound to. */
  final(clientFinal: Buffer): { serverFinal: Buffer; proofValid: boolean; channelBinding: Buffer };
}

export interface TestScramServerOptions {
  hash: "sha1" | "sha256";
  password: string;
  salt?: Buffer;
  iterations?: number;
  /** Extra attributes appended to server-first, e.g. ",h=..." */
  extra?: string;
}

export function testScramServer(options: TestScramServerOptions): TestScramServer {
  const { hash, password } = options;
  const salt = options.salt ?? Buffer.from("salt-for-tests!!");
  const iterations = options.iterations ?? 4096;
  const saltedPassword = pbkdf2Sync(password, salt, iterations, hash === "sha1" ? 20 : 32, hash);
  const hmac = (key: Buffer, data: string) => createHmac(hash, key).update(data).digest();
  let clientFirstBare = "";
  let serverFirst = "";

  return {
    first(clientFirst) {
      const text = clientFirst.toString("utf8");
      clientFirstBare = text.slice(text.indexOf(",", text.indexOf(",") + 1) + 1);
      const clientNonce = /(?:^|,)r=([^,]*)/.exec(clientFirstBare)![1]!;
      serverFirst = `r=${clientNonce}SERVERPART,s=${salt.toString("base64")},i=${iterations}${options.extra ?? ""}`;
      return Buffer.from(serverFirst);
    },
    final(clientFinal) {
      const text = clientFinal.toString("utf8");
      const withoutProof = text.slice(0, text.lastIndexOf(",p="));
      const proof = Buffer.from(text.slice(text.lastIndexOf(",p=") + 3), "base64");
      const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
      const storedKey = createHash(hash).update(hmac(saltedPassword, "Client Key")).digest();
      const clientSignature = hmac(storedKey, authMessage);
      const clientKey = Buffer.from(proof.map((byte, i) => byte ^ clientSignature[i]!));
      const expectedStored = createHash(hash).update(clientKey).digest();
      const serverSignature = hmac(hmac(saltedPassword, "Server Key"), authMessage);
      return {
        serverFinal: Buffer.from(`v=${serverSignature.toString("base64")}`),
        proofValid:
          expectedStored.length === storedKey.length && timingSafeEqual(expectedStored, storedKey),
        channelBinding: Buffer.from(/^c=([^,]*)/.exec(withoutProof)![1]!, "base64"),
      };
    },
  };
}
