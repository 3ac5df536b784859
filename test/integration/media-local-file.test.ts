/**
 * Local uploads read exactly the file that was checked. Finding 9 of issue 10: the old code
 * checked a path, then reopened it by name, so a symlink swapped in between uploaded a file
 * from outside the allowed folders. Here a worker thread swaps links as fast as it can while
 * the real MCP client uploads, and not one upload may carry the outside file.
 */
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { openAllowedFile } from "../../src/media/local-file.js";
import { pngBytes } from "../fixtures/images.js";
import { type Harness, harnessPerTest, structuredOf, textOf } from "../helpers/harness.js";

const harness = harnessPerTest();

const INSIDE = pngBytes({ width: 2, height: 2 });
const OUTSIDE = pngBytes({ width: 64, height: 64, level: 0 });

/**
 * Flips `target` between a real entry and a symlink to `outside` as fast as it can, until
 * told to stop. A file is replaced atomically by rename; a directory cannot be renamed over,
 * so it is parked aside while the link stands in (the path is briefly missing then).
 */
function startSwapper(target: string, outside: string, kind: "file" | "dir") {
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `const { workerData: w, parentPort } = require("node:worker_threads");
     const fs = require("node:fs");
     const parked = w.target + ".parked", link = w.target + ".link";
     let n = 0;
     while (Atomics.load(w.stop, 0) === 0) {
       if (w.kind === "file") {
         fs.copyFileSync(parked, link + ".file");
         fs.renameSync(link + ".file", w.target);
         Atomics.wait(w.stop, 0, 0, 1); // a moment in the allowed state, so some uploads pass
         fs.symlinkSync(w.outside, link);
         fs.renameSync(link, w.target);
       } else {
         fs.renameSync(w.target, parked);
         fs.symlinkSync(w.outside, w.target);
         fs.unlinkSync(w.target);
         fs.renameSync(parked, w.target);
         Atomics.wait(w.stop, 0, 0, 1);
       }
       n++;
     }
     if (w.kind === "file") fs.copyFileSync(parked, w.target);
     parentPort.postMessage(n);`,
    { eval: true, workerData: { target, outside, kind, stop } },
  );
  const swaps = new Promise<number>((resolve) => worker.once("message", resolve));
  return {
    async stop() {
      Atomics.store(stop, 0, 1);
      const n = await swaps;
      await worker.terminate();
      return n;
    },
  };
}

/** Uploads `path` `times` times; counts which file each successful upload carried. */
async function uploadRepeatedly(t: Harness, path: string, times: number) {
  const seen = { inside: 0, outside: 0, refusals: [] as string[] };
  for (let i = 0; i < times; i++) {
    const r = await t.call("upload_reference", { model: "kling-3-0", path, filename: "x.png" });
    if (r.isError) {
      seen.refusals.push(textOf(r));
      continue;
    }
    const size = structuredOf(r).size_bytes;
    if (size === OUTSIDE.length) seen.outside++;
    else if (size === INSIDE.length) seen.inside++;
  }
  console.info(
    `${times} uploads: ${seen.inside} inside, ${seen.outside} outside, ${seen.refusals.length} refused`,
  );
  return seen;
}

const secretDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), "rivya-mcp-secret-"));
  await writeFile(join(dir, "pic.png"), OUTSIDE);
  return dir;
};

describe("finding 9: the upload path check cannot be raced", () => {
  it("a symlink swapped in for the file itself never uploads the outside file", async () => {
    const t = await harness();
    const secret = await secretDir();
    const target = join(t.dir, "pic.png");
    await writeFile(`${target}.parked`, INSIDE);
    await writeFile(target, INSIDE);
    const swapper = startSwapper(target, join(secret, "pic.png"), "file");
    const seen = await uploadRepeatedly(t, target, 60).finally(() => swapper.stop());
    await rm(secret, { recursive: true });
    expect(seen.outside).toBe(0);
    expect(seen.inside).toBeGreaterThan(0);
    for (const text of seen.refusals) expect(text).toMatch(/outside the folders|does not exist/);
  });

  it("a folder on the path swapped for a link to an outside folder never uploads the outside file", async () => {
    const t = await harness();
    const secret = await secretDir();
    const folder = join(t.dir, "sub");
    await mkdir(folder);
    await writeFile(join(folder, "pic.png"), INSIDE);
    const swapper = startSwapper(folder, secret, "dir");
    const seen = await uploadRepeatedly(t, join(folder, "pic.png"), 200).finally(() =>
      swapper.stop(),
    );
    await rm(secret, { recursive: true });
    expect(seen.outside).toBe(0);
    expect(seen.inside).toBeGreaterThan(0);
    for (const text of seen.refusals) expect(text).toMatch(/outside the folders|does not exist/);
  });
});

describe("finding 14: names that start with two dots", () => {
  it("uploads ..hidden.png at the top of an allowed folder, and still refuses ../ paths", async () => {
    const t = await harness();
    await writeFile(join(t.dir, "..hidden.png"), INSIDE);
    const ok = await t.call("upload_reference", {
      model: "kling-3-0",
      path: join(t.dir, "..hidden.png"),
    });
    expect(textOf(ok)).toContain("Uploaded ..hidden.png");
    expect(structuredOf(ok).size_bytes).toBe(INSIDE.length);

    const secret = await secretDir();
    const outsidePath = join(t.dir, "..", secret.split("/").pop() as string, "pic.png");
    const refused = await t.call("upload_reference", { model: "kling-3-0", path: outsidePath });
    await rm(secret, { recursive: true });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain("outside the folders this server may read");
  });
});

describe("finding 9: what is uploaded is the opened descriptor", () => {
  it("reads the opened file, twice over (a retry), even after its name points elsewhere", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rivya-mcp-fd-"));
    await writeFile(join(dir, "a.png"), INSIDE);
    const file = await openAllowedFile(join(dir, "a.png"), [dir]);
    await rename(join(dir, "a.png"), join(dir, "moved.png"));
    await writeFile(join(dir, "a.png"), OUTSIDE);
    const first = Buffer.from(await file.blob.arrayBuffer());
    const again = Buffer.from(await file.blob.arrayBuffer());
    await file.close();
    await rm(dir, { recursive: true });
    expect(first.equals(INSIDE)).toBe(true);
    expect(again.equals(INSIDE)).toBe(true);
  });

  it("a FIFO is refused as not a regular file instead of hanging the open", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rivya-mcp-fd-"));
    execFileSync("mkfifo", [join(dir, "pipe.png")]);
    const err = await openAllowedFile(join(dir, "pipe.png"), [dir]).catch((e: Error) => e);
    await rm(dir, { recursive: true });
    expect((err as Error).message).toContain("is not a regular file");
  });
});
