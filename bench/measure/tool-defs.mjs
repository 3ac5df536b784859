/**
 * 3. Tool definitions: the size of what every agent reads before its first call — the
 * `tools/list` result as JSON. Tokens are estimated as bytes / 4 (a common rule of thumb
 * for English text and JSON with BPE tokenizers; real counts vary by model).
 */
import { allPass, atMost, num } from "../lib/stats.mjs";

export async function toolDefs(ctx) {
  const server = ctx.spawnServer();
  try {
    await server.open();
    const { tools } = await server.request("tools/list", {});
    const bytes = Buffer.byteLength(JSON.stringify({ tools }));
    const perTool = tools.map((t) => ({
      name: t.name,
      bytes: Buffer.byteLength(JSON.stringify(t)),
      input: Buffer.byteLength(JSON.stringify(t.inputSchema ?? {})),
      output: Buffer.byteLength(JSON.stringify(t.outputSchema ?? {})),
      description: Buffer.byteLength(t.description ?? ""),
    }));
    const thresholds = { bytes: atMost(bytes, 6000, (v) => `${num(v)} B`) };
    return {
      id: "tool-defs",
      bytes,
      tokens: Math.round(bytes / 4),
      perTool,
      thresholds,
      pass: allPass(thresholds),
    };
  } finally {
    await server.kill();
  }
}
