/** A small measurement, printed not asserted: get_task calls per second from 50 concurrent sessions. */
import { describe, expect, it } from "vitest";
import { call, out, startHttpHarness } from "./helpers/http-harness.js";

const SESSIONS = 50;
const SECONDS = 2;

describe.each([
  { mode: "stateful", stateless: false },
  { mode: "stateless", stateless: true },
])("get_task throughput ($mode)", ({ mode, stateless }) => {
  it(`${SESSIONS} sessions calling get_task for ${SECONDS} s`, async () => {
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
      let errors = 0;
      const end = Date.now() + SECONDS * 1000;
      const started = Date.now();
      await Promise.all(
        clients.map(async (c, i) => {
          while (Date.now() < end) {
            const r = await call(c, "get_task", { task_id: tasks[i] });
            if (r.isError) errors++;
            calls++;
          }
        }),
      );
      const rps = calls / ((Date.now() - started) / 1000);
      console.log(
        `[throughput] ${mode}: ${calls} get_task calls from ${SESSIONS} sessions in ${SECONDS} s = ${rps.toFixed(0)} req/s (${errors} errors)`,
      );
      expect(errors).toBe(0);
    } finally {
      await h.close();
    }
  }, 30_000);
});
