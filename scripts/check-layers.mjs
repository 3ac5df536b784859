/**
 * Checks that every import in src/ (static, `export … from`, and dynamic `import()`) goes only
 * to a layer its own layer may use: lower layers never reach up, a provider never reaches
 * into another provider, and tools never into a provider's internals. Run by `npm run lint`.
 *
 *   node scripts/check-layers.mjs [ROOT]    (ROOT holds src/; default: the current folder)
 *
 * Exits 1 naming each file, import and rule broken. Imports are read with TypeScript's own
 * pre-processor, so comments and strings that merely look like imports are not counted.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";

const ROOT_UTILITIES = ["config", "log", "version", "lifecycle", "canonical-json", "atomic-file"];

/**
 * What each layer may import besides itself. A name is a folder under src/ ("net"), one of
 * its files ("store/types"), "root" (the root utilities above), "providers/*" (any provider)
 * or "*" (anything). A provider is its own layer: it may use itself, never another provider.
 */
const DEPS = {
  errors: [],
  root: ["errors"],
  net: ["errors", "root"],
  catalog: ["errors", "root"],
  providers: ["catalog", "errors", "root"],
  // providers/index.ts and families.ts: the shipped providers and the families across them,
  // the files that name them all.
  shipped: ["shipped", "providers", "providers/*", "catalog", "errors", "root"],
  provider: ["providers/types", "catalog", "net", "simulator-kit", "errors", "root"],
  // What the providers' simulators share (replies, API errors, body and multipart reading).
  "simulator-kit": ["errors", "root"],
  store: ["providers/types", "errors", "root"],
  media: ["net", "catalog", "providers/types", "errors", "root"],
  generation: [
    "store",
    "media",
    "net",
    "catalog",
    "providers/types",
    "providers/registry",
    "errors",
    "root",
  ],
  tools: [
    "generation",
    "media",
    "catalog",
    "providers/types",
    "providers/registry",
    "providers/index",
    "store/types",
    "errors",
    "root",
  ],
  mcp: ["tools", "generation", "store/types", "catalog", "providers/types", "errors", "root"],
  transports: ["mcp", "generation", "store", "providers", "providers/*", "net", "errors", "root"],
  cli: ["*"],
};

/**
 * Imports that break the rules today, known and being moved (issue 11). Each key is
 * `from -> to` as paths under src/ without extension, each value who removes it. Empty it as
 * they go: an entry no import uses any more is reported, so the list cannot rot.
 */
const ALLOWED = new Map([
  // None today.
]);

/** The layer of a path under src/ (no extension), and the names an import of it matches. */
function layerOf(path) {
  const parts = path.split("/");
  if (parts.length === 1) {
    if (parts[0] === "cli") return { layer: "cli", names: ["cli"] };
    if (ROOT_UTILITIES.includes(parts[0])) return { layer: "root", names: ["root"] };
    return undefined;
  }
  const [top, second] = parts;
  if (top === "providers") {
    if (path === "providers/index" || path === "providers/families")
      return { layer: "shipped", names: [path] };
    if (parts.length === 2) return { layer: "providers", names: ["providers", path] };
    const own = `providers/${second}`;
    return { layer: "provider", own, names: [own, "providers/*"] };
  }
  if (!(top in DEPS)) return undefined;
  return { layer: top, names: [top, ...(parts.length === 2 ? [path] : [])] };
}

function* sourceFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (/\.(ts|mts|js|mjs)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) yield path;
  }
}

const noExt = (p) => p.replace(/\.(d\.)?(ts|mts|js|mjs)$/, "");

/** Each import that breaks the layering, and each allow-list entry nothing uses any more. */
export function checkLayers(root) {
  const src = resolve(root, "src");
  const problems = [];
  const used = new Set();
  for (const file of sourceFiles(src)) {
    const from = noExt(relative(src, file).split(sep).join("/"));
    const fromLayer = layerOf(from);
    const text = readFileSync(file, "utf8");
    if (!fromLayer) {
      problems.push(`src/${from}: no layer is defined for this file (add it to DEPS)`);
      continue;
    }
    for (const imp of ts.preProcessFile(text, true, true).importedFiles) {
      if (!imp.fileName.startsWith(".")) continue; // packages and node: builtins
      const target = relative(src, resolve(dirname(file), imp.fileName))
        .split(sep)
        .join("/");
      if (target.startsWith("..")) continue; // outside src/ (none today)
      const to = noExt(target);
      const toLayer = layerOf(to);
      const same =
        toLayer &&
        (fromLayer.layer === "provider"
          ? toLayer.own === fromLayer.own
          : toLayer.layer === fromLayer.layer);
      const allowed = DEPS[fromLayer.layer];
      const ok = same || allowed.includes("*") || toLayer?.names.some((n) => allowed.includes(n));
      if (ok) continue;
      if (ALLOWED.has(`${from} -> ${to}`)) {
        used.add(`${from} -> ${to}`);
        continue;
      }
      const line = text.slice(0, imp.pos).split("\n").length;
      const who = fromLayer.own ?? fromLayer.layer;
      const may = allowed.length ? allowed.join(", ") : "nothing else in src/";
      problems.push(
        `src/${from}.ts:${line} imports "${imp.fileName}" (src/${to}): ${who} may import only itself and ${may}`,
      );
    }
  }
  for (const key of ALLOWED.keys()) {
    if (!used.has(key)) problems.push(`ALLOWED "${key}" is no longer needed: remove it`);
  }
  return problems;
}

const isMain = process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename);
if (isMain) {
  const problems = checkLayers(process.argv[2] ?? process.cwd());
  for (const p of problems) console.error(p);
  if (problems.length) {
    console.error(`check-layers: ${problems.length} import(s) break the layering (see DEPS).`);
    process.exit(1);
  }
  console.log("check-layers: every import in src/ follows the layering.");
}
