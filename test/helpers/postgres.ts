/**
 * The real PostgreSQL the tests use (127.0.0.1:5432, database `test`, or
 * RIVYA_MCP_TEST_DATABASE_URL). Each test gets its own schema and drops it. Without a
 * server, the PostgreSQL tests are skipped with a printed reason, except under CI=true,
 * where an unreachable database fails the run: CI never skips them silently.
 */
import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { type AddressInfo, createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { quoteIdent } from "../../src/store/postgres-migrations.js";

const execFileAsync = promisify(execFile);

export const TEST_DATABASE_URL =
  process.env.RIVYA_MCP_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

async function probe(): Promise<string | undefined> {
  const client = new pg.Client({
    connectionString: TEST_DATABASE_URL,
    connectionTimeoutMillis: 3000,
  });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Why the PostgreSQL tests cannot run here, or undefined when they can. Throws under CI. */
export async function postgresUnavailable(): Promise<string | undefined> {
  const problem = await probe();
  if (!problem) return undefined;
  const where = TEST_DATABASE_URL.replace(/\/\/[^@/]*@/, "//");
  if (process.env.CI === "true")
    throw new Error(`CI=true and PostgreSQL at ${where} cannot be reached (${problem})`);
  process.stderr.write(
    `Skipping the PostgreSQL tests: no server at ${where} (${problem}). Start one, or set RIVYA_MCP_TEST_DATABASE_URL.\n`,
  );
  return problem;
}

/** A schema name no other test uses. */
export function uniqueSchema(): string {
  return `test_${process.pid}_${randomBytes(4).toString("hex")}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  } finally {
    await client.end();
  }
}

export interface PrivateCluster {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/** The server binaries of the installed PostgreSQL, if any. */
function postgresBin(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const version = readdirSync(root).sort().pop();
  const bin = version && join(root, version, "bin");
  return bin && existsSync(join(bin, "initdb")) ? bin : undefined;
}

/**
 * A throwaway PostgreSQL server of the test's own (initdb in a temporary folder, its own
 * port), for tests that stop and start the server without disturbing the shared one.
 * Undefined, with the reason printed, where the binaries are missing.
 */
export async function privateCluster(): Promise<PrivateCluster | undefined> {
  const bin = postgresBin();
  if (!bin) {
    process.stderr.write("Skipping the PostgreSQL restart test: no PostgreSQL binaries here.\n");
    return undefined;
  }
  const dir = await mkdtemp(join(tmpdir(), "rivya-pg-cluster-"));
  const data = join(dir, "data");
  // initdb refuses to run as root: the cluster then belongs to the postgres user.
  const asOwner = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--"] : [];
  if (asOwner.length) execFileSync("chown", ["postgres", dir]);
  // Asynchronous: the test's own simulator keeps answering while the server stops and starts.
  const run = async (tool: string, args: string[]) => {
    const [command, ...rest] = [...asOwner, join(bin, tool), ...args];
    await execFileAsync(command as string, rest);
  };
  const port = await freePort();
  await run("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const cluster: PrivateCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    // The server's output goes to a file: an inherited pipe would keep execFile waiting.
    start: () => run("pg_ctl", ["-D", data, "-l", join(dir, "log"), "-o", options, "-w", "start"]),
    stop: () => run("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]),
    async destroy() {
      await cluster.stop().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
  await cluster.start();
  return cluster;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
