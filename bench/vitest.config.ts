import { defineConfig } from "vitest/config";

// `npm run bench:smoke`: the benchmark scripts on tiny inputs, kept out of `npm test` (it
// spawns every measurement, about 20 s) but runnable before changing anything under bench/.
export default defineConfig({
  test: { include: ["bench/smoke.test.ts"], testTimeout: 120_000 },
});
