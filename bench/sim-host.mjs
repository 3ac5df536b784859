/**
 * Runs Rivya simulators (src/simulator) in their own process, driven over IPC by
 * bench/run.mjs. Keeping them out of the measuring process means the simulator's own work
 * (it buffers every upload) never shows up in a reference's memory or event loop.
 * Started with `node --import tsx`, so it uses the simulator source as the tests do.
 */
import { startSimulator } from "../src/providers/rivya/simulator/index.ts";

const sims = new Map();
let next = 1;

const commands = {
  async start({ options }) {
    const sim = await startSimulator(options);
    const id = next++;
    sims.set(id, sim);
    return { id, url: sim.url };
  },
  requests({ sim, method, pathPrefix }) {
    return sims
      .get(sim)
      .requests.filter(
        (r) => (!method || r.method === method) && (!pathPrefix || r.path.startsWith(pathPrefix)),
      );
  },
  async stop({ sim }) {
    await sims.get(sim)?.close();
    sims.delete(sim);
    return true;
  },
};

process.on("message", async (msg) => {
  try {
    const result = await commands[msg.cmd](msg);
    process.send({ id: msg.id, ok: true, result });
  } catch (err) {
    process.send({ id: msg.id, ok: false, error: err instanceof Error ? err.stack : String(err) });
  }
});
process.on("disconnect", async () => {
  for (const sim of sims.values()) await sim.close();
  process.exit(0);
});
process.send({ ready: true });
