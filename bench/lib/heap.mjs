/**
 * Live JS heap of another Node process through its inspector (start it with
 * --inspect=127.0.0.1:0): `HeapProfiler.collectGarbage` runs a full GC, then
 * `Runtime.getHeapUsage` reports the heap in use — what is really retained, without the
 * garbage RSS would still show. RSS is read right after, also post-GC.
 */
import { WebSocket } from "undici";
import { procStatus } from "./mem.mjs";

/** The inspector's ws:// URL from a process's stderr text. */
export const inspectorUrl = (stderr) => /Debugger listening on (ws:\/\/\S+)/.exec(stderr)?.[1];

export async function connectInspector(url) {
  const ws = new WebSocket(url);
  const pending = new Map();
  let nextId = 1;
  ws.addEventListener("message", (ev) => {
    const msg = JSON.parse(String(ev.data));
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.error) p.reject(new Error(msg.error.message));
    else p.resolve(msg.result);
  });
  await new Promise((resolve, reject) => {
    ws.addEventListener("open", resolve, { once: true });
    ws.addEventListener("error", () => reject(new Error(`cannot reach inspector ${url}`)), {
      once: true,
    });
  });
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params }));
    });
  return {
    /** Full GC (twice, so objects freed by finalizers go too), then heap in use and RSS. */
    async liveHeap(pid) {
      await send("HeapProfiler.collectGarbage");
      await send("HeapProfiler.collectGarbage");
      const { usedSize } = await send("Runtime.getHeapUsage");
      return { live: usedSize, rss: procStatus(pid).rss };
    },
    close: () => ws.close(),
  };
}
