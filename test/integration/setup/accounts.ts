import { randomBytes } from "node:crypto";
import { prosodyctl } from "./prosody";

export interface TestAccount {
  jid: string;
  password: string;
}

/** Registers a fresh account (random name unless given) on the test Prosody. */
export async function registerAccount(
  configPath: string,
  user = `user-${randomBytes(5).toString("hex")}`,
  password = randomBytes(9).toString("base64url"),
  domain = "localhost",
): Promise<TestAccount> {
  await prosodyctl(configPath, "register", user, domain, password);
  return { jid: `${user}@${domain}`, password };
}
