/**
 * Bundles a bench reference server with esbuild the way scripts/build.mjs bundles rivya-mcp
 * (ESM, node20.18, whitespace and syntax minified, identifiers kept, the same require()
 * banner), so a cold-start or throughput ratio compares our code with the SDK's, not a
 * bundle with node_modules resolution. The reference gets no build tricks of ours (no
 * module aliases): it is the SDK as a plain bundler hands it over.
 */
import { join } from "node:path";
import { build } from "esbuild";
import { ROOT } from "./context.mjs";

export async function bundleReference(name, outdir) {
  const outfile = join(outdir, name);
  await build({
    entryPoints: [join(ROOT, "bench", name)],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20.18",
    minifyWhitespace: true,
    minifySyntax: true,
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    legalComments: "none",
    logLevel: "warning",
  });
  return outfile;
}
