/**
 * Result links that expire (EvoLink's stop working 24 h after a task finishes): a finished
 * video is saved the first time the server sees it (stdio, unless turned off), and get_task
 * says when a link is about to go or gone, pointing to the saved copy or saying what is left.
 * Driven through a real MCP client with the throwaway provider, whose videos are served over
 * loopback HTTP until they expire and answer 410 after.
 */
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServerConfig } from "../../src/config.js";
import { videoPathFor } from "../../src/media/download.js";
import { loopcast } from "../fixtures/throwaway-provider/provider.js";
import { startVideoHost, type VideoHost } from "../fixtures/throwaway-provider/video-host.js";
import { type Harness, harnessPerTest, structuredOf, textOf } from "../helpers/harness.js";

const HOUR = 3600_000;

let host: VideoHost;
beforeAll(async () => {
  host = await startVideoHost();
});
afterAll(() => host.close());

const harness = harnessPerTest();
/** The videos sit on loopback: let the server fetch from there, as it would from a CDN. */
const reachable: Partial<ServerConfig> = { blockPrivateUrls: false };

async function setUp(finishedAgoMs: number, config: Partial<ServerConfig> = {}) {
  const lc = loopcast({ expiry: { host, finishedAgoMs } });
  const h = await harness({ providers: [lc], config: { ...reachable, ...config } });
  return { lc, h };
}

/** Submits a loopcast video and returns its task id (not yet seen finished). */
async function submit(h: Harness): Promise<string> {
  const res = await h.call("generate_video", { model: "loopcast-short", prompt: "a paper boat" });
  expect(res.isError, textOf(res)).toBeFalsy();
  return structuredOf(res).task.task_id;
}

const outputFiles = (h: Harness) => readdir(h.config.outputDir).catch(() => [] as string[]);
const linksOf = (res: Awaited<ReturnType<Harness["call"]>>) =>
  res.content.filter((c) => c.type === "resource_link").map((c) => (c as { uri: string }).uri);

describe("a video whose link expires, in stdio mode", () => {
  it("finished 23 h ago and first seen now: saved, saved_path recorded, the file matches", async () => {
    const { lc, h } = await setUp(23 * HOUR);
    const id = await submit(h);
    const before = host.served();
    const res = await h.call("get_task", { task_id: id, wait_seconds: 2 });
    expect(res.isError, textOf(res)).toBeFalsy();
    const got = structuredOf(res);
    const path = videoPathFor(h.config.outputDir, id);
    expect(got.task).toMatchObject({ status: "succeeded" });
    const left = Date.parse(got.task.links_expire_at) - Date.now();
    expect(left).toBeLessThan(HOUR + 1000);
    expect(left).toBeGreaterThan(HOUR - 60_000);
    expect(got.saved_path).toBe(path);
    expect(new Uint8Array(await readFile(path))).toEqual(lc.videoOf(id));
    expect(host.served() - before).toBe(1);
    expect(got.note).toMatch(
      /The video link expires at .* \(in (59|60) min\); a copy is saved at /,
    );
    expect(linksOf(res)).toEqual([pathToFileURL(path).href]);
    const entry = await h.store.get("local", id);
    expect(entry).toMatchObject({ saved_path: path, result_expires_at: got.task.links_expire_at });

    // Seen again: already saved, not fetched twice.
    const again = structuredOf(await h.call("get_task", { task_id: id }));
    expect(again.saved_path).toBe(path);
    expect(host.served() - before).toBe(1);

    // The provider's clock moves past expiry: the warning points to the saved copy.
    lc.advanceClock(2 * HOUR);
    const gone = await h.call("get_task", { task_id: id, download: true });
    expect(gone.isError, textOf(gone)).toBeFalsy();
    expect(structuredOf(gone).note).toContain(
      `The video link expired at ${new Date(Date.parse(got.task.links_expire_at) - 2 * HOUR).toISOString()}; the video was saved before then to ${path}: use that file.`,
    );
    expect(textOf(gone)).toContain(`Saved to ${path}.`);
    expect(linksOf(gone)).toEqual([pathToFileURL(path).href]);
    // download: true did not try a dead link.
    expect(host.served() - before).toBe(1);
    expect(host.refused()).toBe(0);
  });

  it("generate_video's wait saves a video that finishes within it", async () => {
    const { lc, h } = await setUp(0);
    const res = await h.call("generate_video", {
      model: "loopcast-short",
      prompt: "a kite",
      wait_seconds: 3,
    });
    const got = structuredOf(res);
    expect(got.task.status).toBe("succeeded");
    const path = videoPathFor(h.config.outputDir, got.task.task_id);
    expect(got.saved_path).toBe(path);
    expect(got.next_step).toBe(`Finished; the video is saved at ${path}.`);
    expect(new Uint8Array(await readFile(path))).toEqual(lc.videoOf(got.task.task_id));
    expect(linksOf(res)).toEqual([pathToFileURL(path).href]);
  });

  it("the task list's refresh saves a task it finds finished", async () => {
    const { h } = await setUp(0);
    const id = await submit(h);
    await h.call("get_task", {}); // first read: processing
    const list = structuredOf(await h.call("get_task", {})).recent_tasks;
    const path = videoPathFor(h.config.outputDir, id);
    expect(list[0]).toMatchObject({ task_id: id, status: "succeeded", saved_path: path });
    expect(await outputFiles(h)).toEqual([`${id}.mp4`]);
  });

  it("a save that fails becomes a note; the task is still shown", async () => {
    // The output folder cannot be made: a file stands where its parent should be.
    const blocker = join(await mkdtemp(join(tmpdir(), "rivya-mcp-blocked-")), "file");
    await writeFile(blocker, "not a folder");
    const { h } = await setUp(0, { outputDir: join(blocker, "out") });
    const id = await submit(h);
    const res = await h.call("get_task", { task_id: id, wait_seconds: 2 });
    expect(res.isError, textOf(res)).toBeFalsy();
    const got = structuredOf(res);
    expect(got.task).toMatchObject({ task_id: id, status: "succeeded" });
    expect(got.saved_path).toBeUndefined();
    expect(got.note).toContain("The video was not saved automatically (");
    expect(got.note).toContain("get_task with download: true tries again");
    expect(await h.store.get("local", id)).not.toHaveProperty("saved_path");
  });

  it("auto-save off: nothing is written; an expired link with no copy says plainly what is left", async () => {
    const { lc, h } = await setUp(23 * HOUR, { autoSave: false });
    const id = await submit(h);
    const before = host.served();
    const near = structuredOf(await h.call("get_task", { task_id: id, wait_seconds: 2 }));
    expect(near.task.status).toBe("succeeded");
    expect(near.saved_path).toBeUndefined();
    expect(near.note).toContain("save it before then (get_task with download: true)");
    expect(await outputFiles(h)).toEqual([]);
    expect(host.served()).toBe(before);

    lc.advanceClock(2 * HOUR);
    const gone = await h.call("get_task", { task_id: id, download: true });
    expect(gone.isError, textOf(gone)).toBeFalsy();
    const text = textOf(gone);
    expect(text).toContain("no copy was saved by this server");
    expect(text).toContain(`nothing can create a new link for task ${id}`);
    expect(text).toContain("must be generated again");
    expect(structuredOf(gone).note).toContain("The video link expired at ");
    // The dead URL is not offered as a link, and download: true did not try it.
    expect(linksOf(gone)).toEqual([]);
    expect(host.refused()).toBe(0);
    expect(await outputFiles(h)).toEqual([]);
  });

  it("links that do not expire (Rivya's) are not saved unasked", async () => {
    const h = await harness({ config: reachable });
    const res = structuredOf(
      await h.call("generate_video", { model: "kling-3-0", prompt: "a fox", wait_seconds: 3 }),
    );
    expect(res.task.status).toBe("succeeded");
    expect(res.task.links_expire_at).toBeUndefined();
    expect(res.saved_path).toBeUndefined();
    expect(await outputFiles(h)).toEqual([]);
  });
});

describe("hosted mode", () => {
  // The HTTP transport serves only the shipped tables for now, so the throwaway provider is
  // driven in process with the config the HTTP transport sets (transport: "http").
  it("never saves unasked: there is no local folder", async () => {
    const { h } = await setUp(23 * HOUR, { transport: "http" });
    const before = host.served();
    const res = await h.call("generate_video", {
      model: "loopcast-short",
      prompt: "a lantern",
      wait_seconds: 3,
    });
    expect(res.isError, textOf(res)).toBeFalsy();
    const sent = structuredOf(res);
    expect(sent.task.status).toBe("succeeded");
    expect(sent.saved_path).toBeUndefined();
    expect(sent.note).toContain("download it from video_url before then");
    const got = structuredOf(await h.call("get_task", { task_id: sent.task.task_id }));
    expect(got.saved_path).toBeUndefined();
    expect(got.note).toContain("download it from video_url before then");
    expect(host.served()).toBe(before);
    expect(await outputFiles(h)).toEqual([]);
    const entry = await h.store.get("local", sent.task.task_id);
    expect(entry?.saved_path).toBeUndefined();
    expect(entry?.result_expires_at).toBe(sent.task.links_expire_at);
  });
});
