/**
 * The real PostgreSQL the tests use (127.0.0.1:5432, database `test`, or
 * RIVYA_MCP_TEST_DATABASE_URL). Each test gets its own schema and drops it. Without a
 * server, the PostgreSQL tests are skipped with a printed reason, except under CI=true,
 * where an unreachable database fails the run: CI never skips them silently.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { quoteIdent } from "../../src/store/postgres-migrations.js";

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

export interface RunningCli {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** The built CLI in hosted mode on a free port, once it says where it listens. */
export async function startHttpCli(
  args: string[],
  env: Record<string, string>,
): Promise<RunningCli> {
  const child = spawn(process.execPath, ["dist/cli.js", "--http", "--port", "0", ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
  });
  let stderr = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      const m = /listening on (http:\/\/\S+\/mcp)/.exec(stderr);
      if (m?.[1]) resolve(m[1]);
    });
    void exited.then((code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  return { child, url, stderr: () => stderr, exited };
}
