/** The words an agent gets about a result link that is about to expire or has expired. */
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { buildServerConfig } from "../../src/config.js";
import { withTaskState } from "../../src/generation/ledger.js";
import { expiryNote, type TaskView, videoLinks } from "../../src/generation/task-view.js";
import type { LedgerEntry } from "../../src/store/types.js";

const NOW = Date.parse("2026-03-01T12:00:00.000Z");
const MIN = 60_000;
const at = (ms: number) => new Date(NOW + ms).toISOString();

function view(expiresIn: number | undefined, status: TaskView["status"] = "succeeded"): TaskView {
  return {
    task_id: "task-1",
    model: "m",
    status,
    done: true,
    reserved_credits: 10,
    final_credits: 10,
    refunded_credits: 0,
    video_url: "https://cdn.example/v.mp4",
    result_urls: ["https://cdn.example/v.mp4"],
    ...(expiresIn === undefined ? {} : { links_expire_at: at(expiresIn) }),
    error: null,
    created_at: at(-3600 * MIN),
    updated_at: at(-60 * MIN),
  };
}

describe("expiry notes", () => {
  const now = NOW;

  it("say nothing for links that do not expire, are far from it, or tasks that did not succeed", () => {
    expect(expiryNote(view(undefined), undefined, { now })).toBeUndefined();
    expect(expiryNote(view(120 * MIN), undefined, { now })).toBeUndefined();
    expect(expiryNote(view(-MIN, "failed"), undefined, { now })).toBeUndefined();
  });

  it("near expiry (under 2 h): say when, and how to keep the video", () => {
    expect(expiryNote(view(80 * MIN), undefined, { now })).toBe(
      `The video link expires at ${at(80 * MIN)} (in 1 h 20 min): save it before then (get_task with download: true); once it has expired it cannot be re-created, only generated again.`,
    );
    expect(expiryNote(view(60 * MIN), "/out/task-1.mp4", { now })).toBe(
      `The video link expires at ${at(60 * MIN)} (in 1 h); a copy is saved at /out/task-1.mp4.`,
    );
    expect(expiryNote(view(45 * MIN + 30_000), undefined, { now, local: false })).toBe(
      `The video link expires at ${at(45 * MIN + 30_000)} (in 45 min): download it from video_url before then; once it has expired it cannot be re-created, only generated again.`,
    );
    expect(expiryNote(view(20_000), "/out/task-1.mp4", { now })).toContain("(in under a minute)");
  });

  it("gone: point to the saved copy, or say the video must be generated again", () => {
    expect(expiryNote(view(-MIN), "/out/task-1.mp4", { now })).toBe(
      `The video link expired at ${at(-MIN)}; the video was saved before then to /out/task-1.mp4: use that file.`,
    );
    expect(expiryNote(view(0), undefined, { now })).toBe(
      `The video link expired at ${at(0)} and no copy was saved by this server: nothing can create a new link for task task-1, so the video must be generated again (a new task, charged again) if it is still wanted.`,
    );
  });

  it("an expired URL is not offered as a link; the saved file is", () => {
    expect(videoLinks(view(-MIN), undefined, NOW)).toEqual([]);
    const [saved] = videoLinks(view(-MIN), "/out/task-1.mp4", NOW);
    expect(saved?.uri).toBe(pathToFileURL("/out/task-1.mp4").href);
    const [live] = videoLinks(view(MIN), undefined, NOW);
    expect(live?.uri).toBe("https://cdn.example/v.mp4");
  });
});

describe("the ledger keeps a result's expiry", () => {
  it("records expires_at, and rewrites the entry when only it changed", () => {
    const entry = {
      state: "created",
      task_id: "t",
      status: "succeeded",
      result_urls: ["u"],
      reserved_credits: 1,
      final_credits: 1,
    } as LedgerEntry;
    const task = {
      id: "t",
      status: "succeeded" as const,
      model: "m",
      reserved_credits: 1,
      final_credits: 1,
      created_at: at(0),
      updated_at: at(0),
      result: { primary_url: "u", urls: ["u"], expires_at: at(MIN) },
      error: null,
    };
    const next = withTaskState(entry, task);
    expect(next).not.toBe(entry);
    expect(next.result_expires_at).toBe(at(MIN));
    expect(withTaskState(next, task)).toBe(next);
  });
});

describe("auto-save setting", () => {
  it("is on by default; RIVYA_MCP_AUTO_SAVE=0 turns it off; nonsense is refused", () => {
    expect(buildServerConfig({}).autoSave).toBe(true);
    expect(buildServerConfig({ RIVYA_MCP_AUTO_SAVE: "0" }).autoSave).toBe(false);
    expect(buildServerConfig({ RIVYA_MCP_AUTO_SAVE: "off" }).autoSave).toBe(false);
    expect(buildServerConfig({ RIVYA_MCP_AUTO_SAVE: "1" }).autoSave).toBe(true);
    expect(() => buildServerConfig({ RIVYA_MCP_AUTO_SAVE: "sometimes" })).toThrow(
      /RIVYA_MCP_AUTO_SAVE/,
    );
  });
});
