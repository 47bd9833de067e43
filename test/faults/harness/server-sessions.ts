import { prosodyctl } from "../../integration/setup/prosody";
import type { FaultServer } from "../setup/prosody";

/**
 * How many client sessions the server holds for `jid`, hibernating ones (XEP-0198) included.
 * (`c2s:show(jid)` matches full JIDs only, so every session is listed and the lines counted.)
 */
export async function serverSessions(server: FaultServer, jid: string): Promise<number> {
  const output = await prosodyctl(server.configPath, "shell", "c2s:show()");
  if (!/c2s sessions? shown/.test(output)) {
    throw new Error(`prosodyctl shell c2s:show(): unexpected answer:\n${output}`);
  }
  return output.split("\n").filter((line) => line.includes(`${jid}/`)).length;
}

/** Resolves once the server holds no session for `jid` any more (its resumption window ended). */
export async function untilSessionGone(
  server: FaultServer,
  jid: string,
  timeoutMs: number,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while ((await serverSessions(server, jid)) > 0) {
    if (Date.now() > until) {
      throw new Error(`the server still holds a session for ${jid} after ${timeoutMs} ms`);
    }
    await new Promise((done) => setTimeout(done, 250));
  }
}
