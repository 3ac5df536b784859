/** `rivya-mcp simulate`: its flags, their checks and its help text. */
import { resolve } from "node:path";
import type { SimulatorOptions } from "./types.js";

export const SIMULATE_HELP = `Usage: rivya-mcp simulate [options]

Runs only the Rivya-compatible simulator on 127.0.0.1 (any rvya_sk_ key gets an account).

Options:
  --port N                 port to listen on (default: the previous one with --state-dir, else any free port)
  --credits N              starting credits of every new account (default 1000)
  --queued-ms N            how long a task stays queued (default 2000)
  --processing-ms N        how long a task stays processing before it ends (default 4000)
  --latency-ms N           added to every reply (default 0)
  --failure-rate F         share of tasks that end failed, 0 to 1 (default 0)
  --state-dir DIR          keep accounts, tasks and files in DIR across restarts (default: memory only)
  --provider NAME          rivya (default) or evolink: the EvoLink simulator and its Files API
                           (the timing, credit, latency and failure flags apply; no --state-dir)
  -h, --help               this text
`;

/** The flags only `simulate` takes; anywhere else they are refused. */
export const SIMULATE_FLAGS = [
  "credits",
  "queued-ms",
  "processing-ms",
  "latency-ms",
  "failure-rate",
  "provider",
] as const;

type Flag = (typeof SIMULATE_FLAGS)[number];
type Values = Partial<Record<Flag | "state-dir", string>>;

const MS = "a number of milliseconds, 0 or more";

/** Builds the simulator's options from the flags; throws a message naming a bad flag. */
export function simulateOptions(values: Values, port: number | undefined): SimulatorOptions {
  const latencyMs = number(values, "latency-ms", MS);
  return {
    ...(port === undefined ? {} : { port }),
    ...given("startingCredits", number(values, "credits", "a number of credits, 0 or more")),
    ...given("queuedMs", number(values, "queued-ms", MS)),
    ...given("processingMs", number(values, "processing-ms", MS)),
    ...given("failureRate", number(values, "failure-rate", "a share from 0 to 1, e.g. 0.1", 1)),
    ...(latencyMs === undefined ? {} : { faults: { latencyMs } }),
    ...(values["state-dir"] ? { stateDir: resolve(values["state-dir"]) } : {}),
  };
}

function given<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

function number(values: Values, flag: Flag, what: string, max = Number.MAX_SAFE_INTEGER) {
  const raw = values[flag];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n) || n < 0 || n > max) {
    throw new Error(`--${flag} must be ${what}; got '${raw}'`);
  }
  return n;
}
