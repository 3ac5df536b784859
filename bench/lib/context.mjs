/** What every measurement shares: paths, the API key, and how to spawn the two servers. */
import { cp, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleReference } from "./bundle.mjs";
import { startSimHost } from "./children.mjs";
import { spawnRpc } from "./rpc.mjs";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const KEY = "rvya_sk_bench_0123456789abcdef";

export async function createContext() {
  const tmp = await mkdtemp(join(tmpdir(), "rivya-bench-"));
  const files = join(tmp, "files");
  await mkdir(files, { recursive: true });
  // A private copy of the build: a rebuild of dist/ while the bench runs (npm test in another
  // shell) cannot pull files from under a measurement. The bundle is self-contained.
  const dist = join(tmp, "dist");
  await cp(join(ROOT, "dist"), dist, { recursive: true });
  // The references, bundled as ours is: one file each, no node_modules resolution at start.
  const references = join(tmp, "references");
  const referenceStdio = await bundleReference("reference-server.mjs", references);
  const referenceHttp = await bundleReference("reference-http-server.mjs", references);
  const simHost = await startSimHost();
  // Tasks finish at once and nothing is rate limited: the upstream is never the bottleneck.
  const fastSim = await simHost.start({
    queuedMs: 0,
    processingMs: 0,
    rateLimit: null,
    startingCredits: 1e9,
  });
  let stateDirs = 0;

  const serverEnv = (baseUrl, extra = {}) => ({
    PATH: process.env.PATH ?? "",
    HOME: tmp,
    RIVYA_API_KEY: KEY,
    RIVYA_BASE_URL: baseUrl,
    RIVYA_MCP_ALLOW_DIRS: files,
    RIVYA_MCP_OUTPUT_DIR: join(tmp, "videos"),
    // A fresh ledger per spawn, so no run reads another's history.
    RIVYA_MCP_STATE_DIR: join(tmp, `state-${++stateDirs}`),
    RIVYA_MCP_CONFIRM_ABOVE: "1000000",
    ...extra,
  });

  return {
    tmp,
    files,
    cli: join(dist, "cli.js"),
    referenceHttp,
    key: KEY,
    simHost,
    fastSim,
    serverEnv,
    /** `node dist/cli.js` over stdio. */
    spawnServer({ baseUrl = fastSim.url, args = [], env = {}, nodeArgs = [] } = {}) {
      return spawnRpc({
        args: [...nodeArgs, join(dist, "cli.js"), ...args],
        env: serverEnv(baseUrl, env),
        cwd: tmp,
      });
    },
    /** bench/reference-server.mjs (bundled) over stdio, same environment. */
    spawnReference({ baseUrl = fastSim.url } = {}) {
      return spawnRpc({
        args: [referenceStdio],
        env: serverEnv(baseUrl),
        cwd: tmp,
      });
    },
    async close() {
      await simHost.close();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}
