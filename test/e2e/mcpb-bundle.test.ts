/**
 * The .mcpb bundle as Claude Desktop gets it: packed once by scripts/pack-mcpb.mjs from the
 * built dist/, checked by the official mcpb CLI, unpacked into an empty folder (no
 * node_modules anywhere above it) and started the way its manifest says.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const MCPB_CLI = join(
  dirname(createRequire(import.meta.url).resolve("@anthropic-ai/mcpb")),
  "cli",
  "cli.js",
);
const mcpb = (...args: string[]) =>
  execFileSync(process.execPath, [MCPB_CLI, ...args], { encoding: "utf8" });

interface Manifest {
  version: string;
  tools: { name: string }[];
  server: { mcp_config: { command: string; args: string[]; env: Record<string, string> } };
}

let dir: string;
let unpacked: string;
let manifest: Manifest;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "rivya-mcpb-test-"));
  const bundle = join(dir, "rivya-mcp.mcpb");
  execFileSync(process.execPath, ["scripts/pack-mcpb.mjs", "--out", bundle], { stdio: "pipe" });
  unpacked = join(dir, "unpacked");
  mcpb("unpack", bundle, unpacked);
  manifest = JSON.parse(await readFile(join(unpacked, "manifest.json"), "utf8"));
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** What the host substitutes: the bundle's folder, the key asked for; blank optional fields
 *  stay the literal placeholder, as Claude Desktop passes them. */
function launch(key: string) {
  const fill = (s: string) =>
    s.replaceAll("${__dirname}", unpacked).replaceAll("${user_config.api_key}", key);
  const { command, args, env } = manifest.server.mcp_config;
  return {
    command: command === "node" ? process.execPath : command,
    args: args.map(fill),
    env: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, fill(v)])),
  };
}

describe("MCPB bundle", () => {
  it("is accepted by mcpb validate", () => {
    expect(mcpb("validate", join(unpacked, "manifest.json"))).toMatch(/validation passes/i);
  });

  it("holds the manifest, the bundle, package.json and the README, nothing else", async () => {
    const top = (await readdir(unpacked)).sort();
    expect(top).toEqual(["README.md", "dist", "manifest.json", "package.json"]);
    const pkg = JSON.parse(await readFile(join(unpacked, "package.json"), "utf8"));
    expect(pkg).toMatchObject({ name: "rivya-mcp", version: manifest.version, type: "module" });
    expect(pkg.dependencies).toBeUndefined();
  });

  it("starts from the unpacked folder over stdio and lists the manifest's tools", async () => {
    const { command, args, env } = launch("rvya_sk_bundle_test_key_123456");
    const transport = new StdioClientTransport({
      command,
      args,
      cwd: unpacked,
      // HOME keeps the default ledger and video folders inside the test's own folder.
      env: { PATH: process.env.PATH ?? "", HOME: dir, ...env },
      stderr: "pipe",
    });
    const client = new Client({ name: "mcpb-e2e", version: "1.0.0" });
    await client.connect(transport);
    try {
      expect(client.getServerVersion()).toMatchObject({
        name: "rivya-mcp",
        version: manifest.version,
      });
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(manifest.tools.map((t) => t.name).sort());
    } finally {
      await client.close();
    }
  });
});
