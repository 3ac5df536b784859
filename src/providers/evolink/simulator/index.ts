/** The EvoLink simulator: `startEvolinkSimulator(options)` (see evolink-api.md §15). */

export { priceOf } from "./pricing.js";
export { startEvolinkSimulator } from "./server.js";
export type { EvolinkFaults, EvolinkSimulator, EvolinkSimulatorOptions } from "./types.js";
