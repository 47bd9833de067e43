import { randomBytes } from "node:crypto";
import { seededRandom, type Random } from "./random";

// How many iterations each scenario runs and from which seed. `npm test` runs a few;
// `npm run test:faults` runs many (WREN_FAULT_ITERATIONS). A failure names its seed: run again with
// WREN_FAULT_SEED=<seed> to repeat the same timings.

const DEFAULT_ITERATIONS = 1;

export const iterations = positiveInteger(process.env.WREN_FAULT_ITERATIONS) ?? DEFAULT_ITERATIONS;
export const runSeed = process.env.WREN_FAULT_SEED || randomBytes(4).toString("hex");

/** The iterations of one scenario, each with its own seeded random source. */
export function iterationsOf(scenario: string): { index: number; random: Random }[] {
  return Array.from({ length: iterations }, (_, index) => ({
    index,
    random: seededRandom(`${runSeed}:${scenario}:${index}`),
  }));
}

function positiveInteger(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new Error(`WREN_FAULT_ITERATIONS must be a positive integer, not "${value}"`);
  }
  return number;
}
