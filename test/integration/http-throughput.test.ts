/**
 * 50 concurrent sessions each making a fixed number of get_task calls: every one must
 * succeed. The rate is printed for interest; bench/ is where throughput is measured.
 */
import { describe, expect, it } from "vitest";
import { call, out, startHttpHarness, textOf } from "../helpers/http-harness.js";

const SESSIONS = 50;
const CALLS_PER_SESSION = 5;

describe.each([
  { mode: "stateful", stateless: false },
  { mode: "stateless", stateless: true },
])("get_task throughput ($mode)", ({ mode, stateless }) => {
  it(`${SESSIONS} sessions × ${CALLS_PER_SESSION} get_task calls, all answered`, async () => {
    const people = Array.from({ length: 5 }, (_, i) => ({ name: `p${i}` }));
    const h = await startHttpHarness({
      people,
      http: { stateless, ratePerSecond: 0 },
      sim: { queuedMs: 10, processingMs: 10, startingCredits: 1_000_000 },
    });
    try {
      const clients = await Promise.all(
        Array.from({ length: SESSIONS }, (_, i) => h.connect(h.tokens[`p${i % 5}`])),
      );
      const tasks = await Promise.all(
        clients.map(
          async (c, i) =>
            out(
              await call(c, "generate_video", {
                model: "kling-3-0",
                prompt: "bench",
                params: { duration: 3, mode: "std" },
                client_request_id: `bench-${mode}-${i}`,
              }),
            ).task.task_id as string,
        ),
      );
      let calls = 0;
      const errors: string[] = [];
      const started = Date.now();
      await Promise.all(
        clients.map(async (c, i) => {
          for (let n = 0; n < CALLS_PER_SESSION; n++) {
            const r = await call(c, "get_task", { task_id: tasks[i] });
            if (r.isError) errors.push(textOf(r));
            else expect(out(r).task.task_id).toBe(tasks[i]);
            calls++;
          }
        }),
      );
      const ms = Date.now() - started;
      console.log(
        `[throughput] ${mode}: ${calls} get_task calls from ${SESSIONS} sessions in ${ms} ms = ${(calls / (ms / 1000)).toFixed(0)} req/s`,
      );
      expect(errors).toEqual([]);
      expect(calls).toBe(SESSIONS * CALLS_PER_SESSION);
    } finally {
      await h.close();
    }
  }, 30_000);
});
