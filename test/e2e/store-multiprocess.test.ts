/**
 * Finding 5: two servers sharing one state folder. Real processes race on one ledger: spend
 * checks must see each other's intents (a budget is never overspent) and one process's
 * compaction must never drop what the other appended.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileStore } from "../../src/store/file-store.js";
import { startOfUtcDay } from "../../src/store/types.js";

const RACER = join(import.meta.dirname, "..", "fixtures", "ledger-racer.ts");

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "rivya-ledger-mp-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function racer(args: string[]): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", RACER, ...args], {
    stdio: ["pipe", "pipe", "inherit"],
  });
}

/** Starts every racer at once and returns each one's JSON summary. */
async function race(children: ChildProcess[]): Promise<Record<string, number>[]> {
  // Give both time to open the ledger before either starts, so they really overlap.
  await new Promise((r) => setTimeout(r, 1500));
  for (const child of children) child.stdin?.end("go\n");
  return Promise.all(
    children.map(async (child) => {
      let out = "";
      child.stdout?.on("data", (chunk) => {
        out += chunk;
      });
      const [code] = await once(child, "exit");
      expect(code).toBe(0);
      return JSON.parse(out);
    }),
  );
}

describe("finding 5: two processes sharing one ledger", () => {
  it("never overspend a daily budget between them", async () => {
    const path = join(dir, "state", "ledger.jsonl");
    const budget = 1000;
    const price = 10;
    const [a, b] = await race([
      racer(["spend", path, "a", `${budget}`, `${price}`]),
      racer(["spend", path, "b", `${budget}`, `${price}`]),
    ]);
    const store = await FileStore.open({ path });
    const spent = await store.spentSince("local", startOfUtcDay(new Date()));
    await store.close();
    console.log(
      `two-process budget race: spent ${spent} of ${budget} (a ${a?.accepted}, b ${b?.accepted})`,
    );
    expect(spent).toBe(budget);
    expect((a?.accepted ?? 0) + (b?.accepted ?? 0)).toBe(budget / price);
  }, 60_000);

  it("one compacting while the other appends loses no entry", async () => {
    const path = join(dir, "ledger.jsonl");
    const count = 120;
    await race([
      racer(["append", path, "small", `${count}`, "10"]),
      racer(["append", path, "large", `${count}`, "100000"]),
    ]);
    const lines = (await readFile(path, "utf8")).trim().split("\n").length;
    // Each process wrote 2 lines per entry: fewer lines means the compaction ran.
    expect(lines).toBeLessThan(4 * count);
    const store = await FileStore.open({ path });
    for (const tag of ["small", "large"]) {
      for (let n = 0; n < count; n++) {
        const entry = await store.get("local", `${tag}_task_${n}`);
        expect(entry?.status, `${tag}_${n}`).toBe("succeeded");
      }
    }
    expect((await store.list("local", 10_000)).length).toBe(2 * count);
    await store.close();
  }, 60_000);
});
