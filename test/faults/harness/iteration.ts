import { inject } from "vitest";
import { ChatPair } from "./chat-pair";
import type { Random } from "./random";
import { runSeed } from "./run-settings";

/**
 * Runs one iteration of a scenario: a new pair of Wrens on new accounts, the scenario's faults,
 * then settle() and the invariant. Throws with everything that broke, the seed to repeat it with,
 * what the scenario did, and where the databases and logs were kept (they are removed when the
 * iteration passed).
 */
export async function runIteration(
  scenario: string,
  index: number,
  random: Random,
  faults: (pair: ChatPair, random: Random) => Promise<void>,
): Promise<void> {
  const server = inject("faultServer");
  const pair = await ChatPair.open({ server, tag: `${scenario}-${index + 1}-${runSeed}` });
  let problems: string[] = [];
  let failure: unknown = null;
  try {
    await Promise.all([pair.online("A"), pair.online("B")]);
    await faults(pair, random);
    problems = await pair.settle();
  } catch (error) {
    failure = error;
  } finally {
    await pair.close(failure !== null || problems.length > 0 || !!process.env.WREN_FAULT_KEEP);
  }
  if (failure === null && problems.length === 0) {
    if (process.env.WREN_FAULT_VERBOSE) {
      console.log(
        `${scenario} ${index + 1}: ok, ${pair.sent.length} messages; ${pair.notes.join("; ")}`,
      );
    }
    return;
  }
  const lines = [
    `${scenario}, iteration ${index + 1}: ` +
      (failure === null ? "the invariant broke" : "the scenario could not run to its end"),
    `  repeat with WREN_FAULT_SEED=${runSeed} (seed of this iteration: ${random.seed})`,
    `  databases and logs kept in ${pair.dir}`,
    ...pair.notes.map((note) => `  what happened: ${note}`),
    ...problems.map((problem) => `  ✗ ${problem}`),
  ];
  if (failure !== null) {
    lines.push(
      `  ✗ ${failure instanceof Error ? (failure.stack ?? failure.message) : String(failure)}`,
    );
  }
  throw new Error(lines.join("\n"));
}
