/** What `npm pack` would publish: the built server and its docs, nothing a user never runs. */
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

interface PackEntry {
  path: string;
  size: number;
}

function packedFiles(): string[] {
  // --ignore-scripts: the listing must not depend on (or trigger) a build.
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const [report] = JSON.parse(out) as { files: PackEntry[] }[];
  return (report?.files ?? []).map((f) => f.path).sort();
}

/** Everything the build wrote (npm test builds before vitest runs). */
function built(): string[] {
  return readdirSync("dist", { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).replaceAll("\\", "/"));
}

describe("npm pack", () => {
  const files = packedFiles();

  it("holds only the bundle, package.json, the README and a licence", () => {
    const allowed = [
      /^package\.json$/,
      /^README\.md$/,
      /^LICEN[CS]E(\.md|\.txt)?$/,
      /^dist\/cli\.js$/,
      /^dist\/chunks\/[\w-]+\.js$/,
    ];
    const stray = files.filter((f) => !allowed.some((re) => re.test(f)));
    expect(stray).toEqual([]);
    for (const dir of ["src/", "test/", "bench/", "docs/", "scripts/", "node_modules/"]) {
      expect(files.filter((f) => f.startsWith(dir))).toEqual([]);
    }
  });

  it("holds everything the bundle loads: the entry and every chunk the build wrote", () => {
    expect(files).toContain("package.json");
    expect(files).toContain("README.md");
    const dist = built();
    expect(dist).toContain("dist/cli.js");
    expect(dist.length).toBeGreaterThan(1);
    for (const f of dist) expect(files).toContain(f);
  });
});
