// The scripted demo: a real MCP client drives `rivya-mcp --demo` (the built CLI on its
// embedded simulator) through list → upload → generate → get, printing each step.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { pngBytes } from "../test/fixtures/images.js";

const dir = await mkdtemp(join(tmpdir(), "rivya-demo-"));
const image = join(dir, "reference.png");
await writeFile(image, pngBytes({ width: 64, height: 36, rgb: [30, 90, 200] }));

const transport = new StdioClientTransport({
  command: process.execPath,
  args: [
    "dist/cli.js",
    "--demo",
    "--allow-dir",
    dir,
    "--output-dir",
    join(dir, "videos"),
    "--state-dir",
    join(dir, "state"),
  ],
  env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? dir },
  stderr: "ignore",
});
const client = new Client({ name: "rivya-mcp-demo", version: "1.0.0" });
await client.connect(transport);

async function step(title: string, name: string, args: Record<string, unknown>): Promise<any> {
  console.log(`\n▶ ${title}\n  ${name} ${JSON.stringify(args)}`);
  const result = (await client.callTool({ name, arguments: args }, undefined, {
    onprogress: (p) => console.log(`  … ${p.message}`),
  })) as CallToolResult;
  for (const c of result.content)
    if (c.type === "text") console.log(`  ${c.text.replaceAll("\n", "\n  ")}`);
  if (result.isError) throw new Error(`${name} failed`);
  return result.structuredContent;
}

try {
  const { tools } = await client.listTools();
  console.log(
    `Connected to ${client.getServerVersion()?.name} ${client.getServerVersion()?.version}: ${tools.map((t) => t.name).join(", ")}`,
  );
  const catalog = await step("List models and the balance", "list_models", {});
  const upload = await step("Upload a reference image", "upload_reference", {
    model: "kling-3-0",
    path: image,
  });
  const args = {
    model: "kling-3-0",
    prompt: "A blue card slowly turns to reveal a logo, soft studio light",
    params: { duration: 5, aspect_ratio: "16:9" },
    reference_media: [upload.reference_media_item],
    client_request_id: "demo-1",
  };
  await step("Dry run: check the request and its cost", "generate_video", {
    ...args,
    dry_run: true,
  });
  const gen = await step("Generate the video", "generate_video", args);
  const done = await step("Wait for it and save it", "get_task", {
    task_id: gen.task.task_id,
    wait_seconds: 20,
    download: true,
  });
  const after = await step("Balance afterwards", "list_models", { model: "kling-3-0" });
  console.log(
    `\nCredits: ${catalog.credit_balance} before, ${after.credit_balance} after — ${catalog.credit_balance - after.credit_balance} spent (task reserved ${done.task.reserved_credits}, charged ${done.task.final_credits}).`,
  );
  console.log(`Video: ${done.task.video_url}\nSaved: ${done.saved_path}`);
} finally {
  await client.close();
  await rm(dir, { recursive: true, force: true });
}
