/**
 * A Rivya Public API v1 stand-in for tests, benchmarks and `--demo`: the documented
 * contract plus the project's §15 defaults, on loopback, with fault switches.
 */
export { StateDirBusyError } from "./disk.js";
export { startSimulator } from "./server.js";
export { DEFAULT_LIMITS } from "./state.js";
export type {
  AccountOptions,
  AccountStatus,
  Faults,
  RequestRecord,
  Simulator,
  SimulatorLimits,
  SimulatorOptions,
  SimulatorRetained,
  SimulatorStats,
} from "./types.js";
