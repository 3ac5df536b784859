/**
 * Finding 10 of issue 10: two concurrent downloads of one task corrupted the file (both
 * wrote the same ".part" and renamed it in turn). Now one download per task runs at a time,
 * under a unique temporary name, renamed into place; a size cap and the URL upload's address
 * guard apply. Loopback servers play the video host and count what they are asked for.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ToolError } from "../../src/errors/tool-error.js";
import { classify } from "../../src/mcp/error-boundary.js";
import { type SaveVideoRequest, saveTaskVideo } from "../../src/media/download.js";
import { SAMPLE_MP4 } from "../../src/simulator-kit/sample-video.js";
import { harnessPerTest, structuredOf } from "../helpers/harness.js";

const harness = harnessPerTest();

describe("finding 10: concurrent downloads of one task through get_task", () => {
  it("all succeed with the same intact file and leave no partial files", async () => {
    const t = await harness();
    const gen = structuredOf(await t.call("generate_video", { model: "kling-3-0", prompt: "x" }));
    const id = gen.task.task_id;
    await t.call("get_task", { task_id: id, wait_seconds: 5 });
    const calls = Array.from({ length: 8 }, () =>
      t.call("get_task", { task_id: id, download: true }),
    );
    const paths = (await Promise.all(calls)).map((r) => structuredOf(r)?.saved_path);
    expect(new Set(paths)).toEqual(new Set([join(t.config.outputDir, `${id}.mp4`)]));
    expect(readFileSync(paths[0]).equals(SAMPLE_MP4)).toBe(true);
    expect(readdirSync(t.config.outputDir)).toEqual([`${id}.mp4`]);
  });
});

// A video host: /video streams VIDEO in slow chunks, counting requests.
const VIDEO = randomBytes(512 * 1024);
const hits: Record<string, number> = {};
let host: Server;
let origin = "";
let port = 0;
let dir = "";

beforeAll(async () => {
  host = createServer((req, res) => {
    const path = req.url ?? "";
    hits[path] = (hits[path] ?? 0) + 1;
    if (path === "/to-private")
      return void res.writeHead(302, { location: `https://internal.test:${port}/video` }).end();
    if (path === "/declared-huge")
      return void res.writeHead(200, { "content-length": "5000000000" }).end();
    res.writeHead(200, { "content-type": "video/mp4" });
    let sent = 0;
    const next = () => {
      if (res.destroyed) return;
      if (sent >= VIDEO.length) return void res.end();
      res.write(VIDEO.subarray(sent, sent + 64 * 1024));
      sent += 64 * 1024;
      setTimeout(next, 5);
    };
    next();
  });
  await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
  port = (host.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
});

afterAll(() => {
  host.closeAllConnections();
  host.close();
});

afterEach(async () => {
  for (const key of Object.keys(hits)) delete hits[key];
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function request(overrides: Partial<SaveVideoRequest> = {}): Promise<SaveVideoRequest> {
  dir = await mkdtemp(join(tmpdir(), "rivya-mcp-dl-"));
  return {
    url: `${origin}/video`,
    dir,
    taskId: "task_1",
    signal: new AbortController().signal,
    guard: { blockPrivate: true, trustedOrigins: [origin] },
    ...overrides,
  };
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a failure");
    },
    (err: unknown) => err,
  );

describe("finding 10: one download per task, capped and guarded", () => {
  it("a second concurrent call waits for the first and reuses its file", async () => {
    const req = await request();
    const [a, b] = await Promise.all([saveTaskVideo(req), saveTaskVideo({ ...req })]);
    expect(a).toBe(b);
    expect(hits["/video"]).toBe(1);
    expect(readFileSync(a).equals(VIDEO)).toBe(true);
    expect(readdirSync(dir)).toEqual(["task_1.mp4"]);
  });

  it("one caller cancelling does not stop the download for the other", async () => {
    const req = await request();
    const cancel = new AbortController();
    const first = saveTaskVideo({ ...req, signal: cancel.signal });
    const second = saveTaskVideo(req);
    cancel.abort();
    expect(((await failure(first)) as Error).name).toBe("AbortError");
    expect(readFileSync(await second).equals(VIDEO)).toBe(true);
    expect(hits["/video"]).toBe(1);
  });

  it("once every caller has cancelled, the next call downloads afresh", async () => {
    const req = await request();
    const cancel = new AbortController();
    const first = saveTaskVideo({ ...req, signal: cancel.signal });
    cancel.abort();
    expect(((await failure(first)) as Error).name).toBe("AbortError");
    const path = await saveTaskVideo(req);
    expect(readFileSync(path).equals(VIDEO)).toBe(true);
    expect(readdirSync(dir)).toEqual(["task_1.mp4"]);
  });

  it("a body past the size cap is cut off and nothing is left behind", async () => {
    const req = await request({ maxBytes: 100_000 });
    const err = await failure(saveTaskVideo(req));
    expect(err).toBeInstanceOf(ToolError);
    expect(classify(err).message).toContain("larger than 100000 bytes");
    expect(readdirSync(dir)).toEqual([]);
    const declared = await failure(saveTaskVideo({ ...req, url: `${origin}/declared-huge` }));
    expect(classify(declared).message).toContain("larger than");
  });

  it("untrusted URLs get the reference-URL address rules", async () => {
    const untrusted = { blockPrivate: true };
    const plain = await failure(saveTaskVideo(await request({ guard: untrusted })));
    expect(classify(plain).message).toContain("the video URL must use https");
    const loopback = await failure(
      saveTaskVideo(await request({ url: "https://127.0.0.1:1/v.mp4", guard: untrusted })),
    );
    expect(classify(loopback).message).toContain("private, loopback or reserved address");
    expect(hits).toEqual({});
  });

  it("a redirect from the trusted host to a name resolving privately is refused", async () => {
    const req = await request({
      url: `${origin}/to-private`,
      guard: {
        blockPrivate: true,
        trustedOrigins: [origin],
        lookup: (_host, _o, cb) => cb(null, [{ address: "127.0.0.1", family: 4 }]),
      },
    });
    const err = await failure(saveTaskVideo(req));
    expect(classify(err).message).toContain("internal.test resolves to 127.0.0.1");
    expect(hits).toEqual({ "/to-private": 1 });
    expect(existsSync(join(dir, "task_1.mp4"))).toBe(false);
  });
});
