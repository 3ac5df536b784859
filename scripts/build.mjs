// Bundles the CLI into dist/ with esbuild. Code splitting keeps what stdio mode does not
// need (HTTP transport, simulator) in chunks that load only when used.
//
// Cold start is measured by `npm run bench` (see BENCHMARKS.md). Minifying whitespace and
// syntax saves ~25 ms of compile time; identifiers are kept so logged stack traces stay
// readable. Turning splitting off was measured ~60 ms slower: stdio would load HTTP and the
// simulator. What stdio does not need at start is imported lazily in src/ (the Rivya client
// and undici, upload and download code). Two things are done here instead:
// - the shipped tools/list is derived now, from the same zod schemas, and embedded
//   (src/mcp/tool-list.ts), so no start converts schemas, and stdio answers its first
//   tools/list before zod and the SDK are loaded (src/transports/early-answers.ts);
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

/** The shipped tools/list (descriptions as templates), computed by the source itself. */
async function toolList() {
  const dir = await mkdtemp(join(tmpdir(), "rivya-build-"));
  try {
    const outfile = join(dir, "schemas.mjs");
    await build({ ...common, entryPoints: ["src/mcp/publish.ts"], outfile });
    const { publishedTools } = await import(pathToFileURL(outfile).href);
    return publishedTools();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const tools = await toolList();
await rm("dist", { recursive: true, force: true });
await build({
  ...common,
  entryPoints: { cli: "src/cli.ts" },
  outdir: "dist",
  splitting: true,
  minifyWhitespace: true,
  minifySyntax: true,
  chunkNames: "chunks/[name]-[hash]",
  define: { __RIVYA_TOOL_LIST__: JSON.stringify(tools) },
  // The SDK's Node shim with Ajv loaded on first use instead of at start; see the file.
  alias: { "@modelcontextprotocol/server/_shims": "./scripts/sdk-shims.mjs" },
});
