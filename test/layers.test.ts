/**
 * The layering check of `npm run lint` (scripts/check-layers.mjs): the real tree passes, and
 * a deliberate bad import, written into a temporary copy of src/ (never the tree), fails it
 * with a message naming the file, the import and the rule.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");
const SCRIPT = join(ROOT, "scripts", "check-layers.mjs");
const dirs: string[] = [];

function check(root: string) {
  const r = spawnSync(process.execPath, [SCRIPT, root], { encoding: "utf8" });
  return { status: r.status, out: r.stdout + r.stderr };
}

/** A copy of the real src/ with extra files written into it. */
function treeWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "layers-"));
  dirs.push(dir);
  cpSync(join(ROOT, "src"), join(dir, "src"), { recursive: true });
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, "src", path), text);
  return dir;
}

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("check-layers", () => {
  it("passes on the real tree", () => {
    const r = check(ROOT);
    expect(r.out).toContain("every import in src/ follows the layering");
    expect(r.status).toBe(0);
  });

  it.each([
    [
      "net reaching up into tools (static)",
      "net/bad.ts",
      'import { TOOLS } from "../tools/index.js";\nexport const x = TOOLS;\n',
      /src\/net\/bad\.ts:1 imports "\.\.\/tools\/index\.js" \(src\/tools\/index\): net may import only itself and errors, root/,
    ],
    [
      "errors importing anything (dynamic import)",
      "errors/bad.ts",
      'export const load = () => import("../log.js");\n',
      /src\/errors\/bad\.ts:1 imports "\.\.\/log\.js" \(src\/log\): errors may import only itself and nothing else in src\//,
    ],
    [
      "one provider reaching into another",
      "providers/evolink/bad.ts",
      '// a comment first\nexport type { RivyaClient } from "../rivya/client.js";\n',
      /src\/providers\/evolink\/bad\.ts:2 imports "\.\.\/rivya\/client\.js" \(src\/providers\/rivya\/client\): providers\/evolink may import only itself/,
    ],
    [
      "tools importing a provider's internals",
      "tools/bad.ts",
      'import type { Transport } from "../providers/rivya/http.js";\nexport type T = Transport;\n',
      /src\/tools\/bad\.ts:1 imports .* \(src\/providers\/rivya\/http\): tools may import only itself and generation/,
    ],
  ])("fails on %s, naming the file, the import and the rule", (_name, path, text, message) => {
    const r = check(treeWith({ [path]: text }));
    expect(r.status).toBe(1);
    expect(r.out).toMatch(message);
  });

  it("does not count imports that only appear in comments or strings", () => {
    const text =
      '/* import "../tools/index.js" */\nexport const s = "import(\'../mcp/server.js\')";\n';
    expect(check(treeWith({ "net/quiet.ts": text })).status).toBe(0);
  });
});
