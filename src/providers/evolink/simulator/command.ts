/**
 * `rivya-mcp simulate --provider evolink`: the EvoLink simulator (and its Files API) on one
 * loopback port, from the same timing and fault flags the Rivya simulator takes.
 */
import { startEvolinkSimulator } from "./server.js";
import type { EvolinkSimulatorOptions } from "./types.js";

type Values = Partial<Record<string, string | boolean | string[] | undefined>>;

const MS = "a number of milliseconds, 0 or more";

/** Builds the options from the flags; throws a message naming a bad or unsupported flag. */
export function evolinkSimulateOptions(
  values: Values,
  port: number | undefined,
): EvolinkSimulatorOptions {
  if (values["state-dir"] !== undefined) {
    throw new Error(
      "--state-dir is not supported with --provider evolink: its simulator keeps state in memory only",
    );
  }
  const latencyMs = number(values, "latency-ms", MS);
  const credits = number(values, "credits", "a number of credits, 0 or more");
  const pendingMs = number(values, "queued-ms", MS);
  const processingMs = number(values, "processing-ms", MS);
  const failureRate = number(values, "failure-rate", "a share from 0 to 1, e.g. 0.1", 1);
  return {
    ...(port === undefined ? {} : { port }),
    ...(credits === undefined ? {} : { startingCredits: credits }),
    ...(pendingMs === undefined ? {} : { pendingMs }),
    ...(processingMs === undefined ? {} : { processingMs }),
    ...(failureRate === undefined ? {} : { failureRate }),
    ...(latencyMs === undefined ? {} : { faults: { latencyMs } }),
  };
}

function number(values: Values, flag: string, what: string, max = Number.MAX_SAFE_INTEGER) {
  const raw = values[flag];
  if (typeof raw !== "string") return undefined;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n) || n < 0 || n > max) {
    throw new Error(`--${flag} must be ${what}; got '${raw}'`);
  }
  return n;
}

/** Starts the simulator and says where on stderr; runs until the process is killed. */
export async function runEvolinkSimulator(values: Values, port: number | undefined): Promise<void> {
  const sim = await startEvolinkSimulator(evolinkSimulateOptions(values, port));
  process.stderr.write(
    `EvoLink simulator listening on ${sim.url} (any bearer key is accepted; the Files API is on the same URL)\n`,
  );
}
