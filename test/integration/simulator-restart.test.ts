/** A simulator with a state folder survives a restart: accounts, tasks, keys, files, URLs. */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type Simulator,
  type SimulatorOptions,
  StateDirBusyError,
  startSimulator,
} from "../../src/providers/rivya/simulator/index.js";
import { pngBytes } from "../fixtures/images.js";
import { call, newKey, uploadForm } from "../fixtures/sim-http.js";

const gen = { model: "kling-3-0", prompt: "a paper boat on a river" };
let root: string;
const open: Simulator[] = [];
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "rivya-sim-state-"));
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function start(stateDir: string, opts: SimulatorOptions = {}): Promise<Simulator> {
  const s = await startSimulator({
    rateLimit: null,
    queuedMs: 150,
    processingMs: 150,
    stateDir,
    ...opts,
  });
  open.push(s);
  return s;
}

const portOf = (url: string) => Number(new URL(url).port);

describe("simulator state folder", () => {
  it("a restart keeps tasks, balances, idempotency records and uploaded files", async () => {
    const dir = join(root, "keeps");
    const key = newKey();
    const first = await start(dir);
    const headers = { "idempotency-key": "restart-1" };
    const task = await call(first.url, "POST", "/api/v1/generations", { key, json: gen, headers });
    expect(task.status).toBe(202);
    const form = uploadForm(pngBytes(), "frame.png", { kind: "image" });
    const file = await call(first.url, "POST", "/api/v1/files", { key, form });
    expect(file.status).toBe(201);
    await first.close();

    const second = await start(dir);
    const got = await call(second.url, "GET", `/api/v1/generations/${task.body.id}`, { key });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ id: task.body.id, reserved_credits: 90 });
    expect(second.balance(key)).toBe(1000 - 90);
    const replay = await call(second.url, "POST", "/api/v1/generations", {
      key,
      json: gen,
      headers,
    });
    expect([replay.status, replay.body.id]).toEqual([200, task.body.id]);
    const meta = await call(second.url, "GET", `/api/v1/files/${file.body.id}`, { key });
    expect(meta.status).toBe(200);
    const bytes = await call(meta.body.url, "GET", "");
    expect(Buffer.compare(bytes.body, pngBytes())).toBe(0);
    expect(second.stats()).toMatchObject({ tasksCreated: 1, creditsCharged: 90, filesUploaded: 1 });
  });

  it("the task's clock carries on across the restart, and a failure is refunded after it", async () => {
    const dir = join(root, "clock");
    const key = newKey();
    const first = await start(dir);
    const ok = await call(first.url, "POST", "/api/v1/generations", { key, json: gen });
    const bad = await call(first.url, "POST", "/api/v1/generations", {
      key,
      json: { ...gen, prompt: "[sim:fail] a flood" },
    });
    await first.close();
    await sleep(400); // both tasks end while no simulator runs
    const second = await start(dir);
    const a = await call(second.url, "GET", `/api/v1/generations/${ok.body.id}`, { key });
    const b = await call(second.url, "GET", `/api/v1/generations/${bad.body.id}`, { key });
    expect([a.body.status, b.body.status]).toEqual(["succeeded", "failed"]);
    expect(second.balance(key)).toBe(1000 - 90);
  });

  it("reuses its previous port, so URLs handed out before the restart still work", async () => {
    const dir = join(root, "port");
    const first = await start(dir);
    const key = newKey();
    await call(first.url, "POST", "/api/v1/generations", { key, json: gen });
    const url = first.url;
    await first.close();
    const second = await start(dir);
    expect(second.url).toBe(url);
  });

  it("when the old port is taken, result and file URLs follow the new one", async () => {
    const dir = join(root, "moved");
    const key = newKey();
    const first = await start(dir);
    const task = await call(first.url, "POST", "/api/v1/generations", { key, json: gen });
    const form = uploadForm(pngBytes(), "frame.png", { kind: "image" });
    const file = await call(first.url, "POST", "/api/v1/files", { key, form });
    const oldPort = portOf(first.url);
    await first.close();
    const squatter: Server = createServer((_req, res) => res.end("not the simulator"));
    await new Promise<void>((resolve) => squatter.listen(oldPort, "127.0.0.1", resolve));
    try {
      const second = await start(dir);
      expect(portOf(second.url)).not.toBe(oldPort);
      await sleep(350);
      const done = await call(second.url, "GET", `/api/v1/generations/${task.body.id}`, { key });
      expect(done.body.status).toBe("succeeded");
      expect(done.body.result.primary_url.startsWith(`${second.url}/`)).toBe(true);
      const video = await call(done.body.result.primary_url, "GET", "");
      expect(video.status).toBe(200);
      const meta = await call(second.url, "GET", `/api/v1/files/${file.body.id}`, { key });
      expect(meta.body.url.startsWith(`${second.url}/`)).toBe(true);
      expect((await call(meta.body.url, "GET", "")).status).toBe(200);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it("a create is on disk before it is answered (a kill right after loses nothing)", async () => {
    const dir = join(root, "durable");
    const s = await start(dir);
    const key = newKey();
    const task = await call(s.url, "POST", "/api/v1/generations", { key, json: gen });
    // Read while the simulator still runs: no close() has flushed anything.
    const saved = await readFile(join(dir, "state.json"), "utf8");
    expect(saved).toContain(task.body.id);
  });

  it("a write cut off mid-way (a leftover temp file) does not corrupt the state", async () => {
    const dir = join(root, "torn");
    const key = newKey();
    const first = await start(dir);
    const task = await call(first.url, "POST", "/api/v1/generations", { key, json: gen });
    await first.close();
    await writeFile(join(dir, `state.json.${process.pid}.tmp`), '{"version":1,"accounts":[{"ke');
    const second = await start(dir);
    const got = await call(second.url, "GET", `/api/v1/generations/${task.body.id}`, { key });
    expect(got.status).toBe(200);
    // The next save replaces the torn temp file instead of tripping over it.
    await call(second.url, "POST", "/api/v1/generations", { key, json: gen });
    expect(second.balance(key)).toBe(1000 - 180);
  });

  it("concurrent creates all reach the disk", async () => {
    const dir = join(root, "burst");
    const key = newKey();
    const first = await start(dir, { startingCredits: 10_000 });
    const ids = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const res = await call(first.url, "POST", "/api/v1/generations", { key, json: gen });
        return res.body.id as string;
      }),
    );
    const saved = await readFile(join(dir, "state.json"), "utf8");
    for (const id of ids) expect(saved).toContain(id);
    await first.close();
    const second = await start(dir, { startingCredits: 10_000 });
    expect(
      second
        .tasks(key)
        .map((t) => t.id)
        .sort(),
    ).toEqual([...ids].sort());
    expect(second.balance(key)).toBe(10_000 - 20 * 90);
  });

  it("one process per folder: a second simulator is refused while the first runs", async () => {
    const dir = join(root, "shared");
    const first = await start(dir);
    const err = await start(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateDirBusyError);
    expect((err as Error).message).toContain(`in use by process ${process.pid}`);
    await first.close();
    const next = await start(dir); // closing let the folder go
    expect(next.url).toMatch(/^http:/);
  });

  it("a lock left by a process that is gone (a SIGKILL) is taken over", async () => {
    const dir = join(root, "stale");
    const key = newKey();
    const first = await start(dir);
    await call(first.url, "POST", "/api/v1/generations", { key, json: gen });
    await first.close();
    // No such process: pids stay far below this on Linux and macOS.
    await writeFile(join(dir, "lock"), "2147483646");
    const second = await start(dir);
    expect(second.balance(key)).toBe(1000 - 90);
  });
});
