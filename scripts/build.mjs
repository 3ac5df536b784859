// Bundles the CLI into dist/ with esbuild. Code splitting keeps what stdio mode does not
// need (HTTP transport, simulator) in chunks that load only when used.
//
// Cold start is measured by `npm run bench` (see BENCHMARKS.md). Minifying whitespace and
// syntax saves ~25 ms of compile time; identifiers are kept so logged stack traces stay
// readable. Turning splitting off was measured ~60 ms slower: stdio would load HTTP and the
// simulator. What stdio does not need at start is imported lazily in src/ (the Rivya client
// and undici, upload and download code), not patched here.

import { rm } from "node:fs/promises";
import { build } from "esbuild";

await rm("dist", { recursive: true, force: true });
await build({
  entryPoints: { cli: "src/cli.ts" },
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20.18",
  minifyWhitespace: true,
  minifySyntax: true,
  banner: {
    // Some bundled CommonJS dependencies call require(); give them one.
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  chunkNames: "chunks/[name]-[hash]",
  legalComments: "none",
  // The SDK's Node shim with Ajv loaded on first use instead of at start; see the file.
  alias: { "@modelcontextprotocol/server/_shims": "./scripts/sdk-shims.mjs" },
  logLevel: "warning",
});
