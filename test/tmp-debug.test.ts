import { it } from "vitest";
import { createLogger } from "../src/log.js";
import { INIT, rawPost, startHttpHarness } from "./helpers/http-harness.js";
it("debug", async () => {
  const lines: string[] = [];
  let frozen: number | undefined = Date.now();
  const h = await startHttpHarness({ people: [{ name: "alice" }], log: createLogger({ level: "debug", write: (l) => lines.push(l) }),
    http: { sessionIdleMs: 1500, sweepMs: 250, maxSessions: 2000, ratePerSecond: 0, sessionClock: () => frozen ?? Date.now() } });
  for (let i = 0; i < 300; i++) { const r = await rawPost(h.url, INIT, { authorization: `Bearer ${h.tokens.alice}` }); await r.text(); }
  console.log(h.server.sessionCount());
  console.log(lines.filter((l) => l.includes("session closed")).slice(0, 3));
  await h.close();
}, 60000);
