/**
 * 6. Polling discipline: `generate_video` with wait_seconds on a task the simulator keeps
 * busy for a known duration; the simulator's own log counts the GET /generations/{id}
 * requests. Compared with the fewest checks Rivya's guidance (first check 2–3 s after
 * submitting, then every 5–10 s) allows for a poller that must see the task finished:
 * checks at 3 s, 13 s, 23 s … Deterministic, so it runs once.
 */
const FIRST = [2, 3];
const EVERY = [5, 10];

/** Fewest checks that can observe a task finishing `d` seconds after submission. */
export function minimumChecks(d) {
  if (d <= FIRST[1]) return 1;
  return 1 + Math.ceil((d - FIRST[1]) / EVERY[1]);
}

/** Checks made by a poller going as fast as the guidance allows (2 s, then every 5 s). */
export function fastestChecks(d) {
  if (d <= FIRST[0]) return 1;
  return 1 + Math.ceil((d - FIRST[0]) / EVERY[0]);
}

export async function polling(
  ctx,
  { queuedMs = 3000, processingMs = 9000, waitSeconds = 20 } = {},
) {
  const sim = await ctx.simHost.start({ queuedMs, processingMs, rateLimit: null });
  const server = ctx.spawnServer({ baseUrl: sim.url });
  try {
    await server.open();
    const started = performance.now();
    const gen = await server.call("generate_video", {
      model: "kling-3-0",
      prompt: "A lighthouse beam sweeping over fog",
      client_request_id: `bench-poll-${Date.now()}`,
      wait_seconds: waitSeconds,
    });
    const elapsed = (performance.now() - started) / 1000;
    const task = gen.structuredContent.task;
    const path = `/api/v1/generations/${task.task_id}`;
    const all = await sim.requests({});
    const post = all.find((r) => r.method === "POST" && r.path === "/api/v1/generations");
    const checks = all.filter((r) => r.method === "GET" && r.path === path);
    const duration = (queuedMs + processingMs) / 1000;
    const min = minimumChecks(duration);
    const thresholds = {
      checks: { target: "equal", pass: checks.length === min && task.status === "succeeded" },
    };
    return {
      id: "polling",
      duration,
      waitSeconds,
      status: task.status,
      callSeconds: elapsed,
      checks: checks.length,
      checkTimes: checks.map((r) => (r.at - (post?.at ?? r.at)) / 1000),
      minimum: min,
      fastest: fastestChecks(duration),
      thresholds,
      pass: thresholds.checks.pass,
    };
  } finally {
    await server.kill();
    await sim.stop();
  }
}
