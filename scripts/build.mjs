// Bundles the CLI into dist/ with esbuild. Code splitting keeps what stdio mode does not
// need (HTTP transport, simulator) in chunks that load only when used.
//
// Cold start is measured by `npm run bench` (see BENCHMARKS.md). Minifying whitespace and
// syntax saves ~25 ms of compile time; identifiers are kept so logged stack traces stay
// readable. Turning splitting off was measured ~60 ms slower: stdio would load HTTP and the
// simulator. What stdio does not need at start is imported lazily in src/ (the Rivya client
// and undici, upload and download code). Two things are done here instead:
// - the shipped tools' JSON Schemas are derived now, from the same zod schemas, and embedded
//   (src/mcp/publish.ts), so no start converts schemas for its first tools/list;
// - the SDK's Node shim is replaced by scripts/sdk-shims.mjs, which loads Ajv on first use.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

const common = {
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20.18",
  banner: {
    // Some bundled CommonJS dependencies call require(); give them one.
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  legalComments: "none",
  logLevel: "warning",
};

/** Each shipped tool's published JSON Schemas, computed by the source itself. */
async function toolSchemas() {
  const dir = await mkdtemp(join(tmpdir(), "rivya-build-"));
  try {
    const outfile = join(dir, "schemas.mjs");
    await build({ ...common, entryPoints: ["src/mcp/publish.ts"], outfile });
    const { publishedSchemas } = await import(pathToFileURL(outfile).href);
    return publishedSchemas();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const schemas = await toolSchemas();
await rm("dist", { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { cli: "src/cli.ts" },
  outdir: "dist",
  splitting: true,
  minifyWhitespace: true,
  minifySyntax: true,
  chunkNames: "chunks/[name]-[hash]",
  define: { __RIVYA_TOOL_SCHEMAS__: JSON.stringify(schemas) },
  // The SDK's Node shim with Ajv loaded on first use instead of at start; see the file.
  alias: { "@modelcontextprotocol/server/_shims": "./scripts/sdk-shims.mjs" },
});
