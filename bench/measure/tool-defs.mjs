/**
 * 3. Tool definitions: the size of what every agent reads before its first call — the
 * `tools/list` result as JSON. Tokens are estimated as bytes / 4 (a common rule of thumb
 * for English text and JSON with BPE tokenizers; real counts vary by model).
 */
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
    return {
      id: "tool-defs",
      bytes,
      tokens: Math.round(bytes / 4),
      perTool,
      target: 6000,
      pass: bytes <= 6000,
    };
  } finally {
    await server.kill();
  }
}
