/**
 * Packs the MCPB bundle that Claude Desktop installs: manifest.json, the esbuild bundle in
 * dist/ (self-contained, so no node_modules), a package.json and the README. The official
 * `mcpb` CLI does the packing and validates the manifest first.
 *
 *   node scripts/pack-mcpb.mjs [--out FILE]    (`npm run pack:mcpb` builds dist/ first)
 *
 * FILE defaults to rivya-mcp-<version>.mcpb in the current folder.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { out: { type: "string" } } });
const pkg = JSON.parse(readFileSync("package.json", "utf8"));
const manifest = JSON.parse(readFileSync("manifest.json", "utf8"));
const out = resolve(values.out ?? `${pkg.name}-${pkg.version}.mcpb`);

const fail = (message) => {
  process.stderr.write(`pack-mcpb: ${message}\n`);
  process.exit(1);
};
if (manifest.version !== pkg.version) {
  fail(`manifest.json is at ${manifest.version}, package.json at ${pkg.version}`);
}
if (!existsSync(manifest.server.entry_point)) {
  fail(`${manifest.server.entry_point} is missing: run npm run build first`);
}

const stage = mkdtempSync(join(tmpdir(), "rivya-mcpb-"));
let packed;
try {
  cpSync("manifest.json", join(stage, "manifest.json"));
  cpSync("README.md", join(stage, "README.md"));
  cpSync("dist", join(stage, "dist"), { recursive: true });
  // "type": "module" is what makes Node load dist/*.js as ES modules; the dependencies are
  // left out because the bundle already holds them.
  const { name, version, description, license } = pkg;
  const meta = { name, version, description, license, type: "module" };
  writeFileSync(join(stage, "package.json"), `${JSON.stringify(meta, null, 2)}\n`);

  const mcpbIndex = createRequire(import.meta.url).resolve("@anthropic-ai/mcpb");
  const mcpbCli = join(dirname(mcpbIndex), "cli", "cli.js");
  packed = spawnSync(process.execPath, [mcpbCli, "pack", stage, out], { stdio: "inherit" });
} finally {
  rmSync(stage, { recursive: true, force: true });
}
if (packed.status !== 0) fail(`mcpb pack exited with ${packed.status ?? packed.signal}`);
