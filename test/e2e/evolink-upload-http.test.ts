/**
 * EvoLink image-to-video over Streamable HTTP with the SDK's own client: a person uploads a
 * start frame (base64: a hosted server reads no local paths) to the simulator's Files API,
 * generates from it and reads the finished task, charged to their own EvoLink key.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { pngBytes } from "../fixtures/images.js";
import { call, type HttpHarness, out, startHttpHarness, textOf } from "../helpers/http-harness.js";

let h: HttpHarness;
beforeAll(async () => {
  h = await startHttpHarness({
    people: [{ name: "carol", evolinkKeyEnv: "EVOLINK_KEY_CAROL" }],
    evolink: { pendingMs: 40, processingMs: 80, rateLimitPerMinute: null },
  });
});
afterAll(() => h.close());

it("upload → image-to-video → get_task over HTTP, on the person's own key", async () => {
  const carol = await h.connect(h.tokens.carol);
  const evo = h.evo as NonNullable<HttpHarness["evo"]>;
  const up = await call(carol, "upload_reference", {
    model: "kling-v3-image-to-video",
    base64: pngBytes({ width: 720, height: 480 }).toString("base64"),
    filename: "harbour.png",
  });
  expect(up.isError, textOf(up)).toBeFalsy();
  const { reference_media_item: item, expires_at, frame } = out(up);
  expect(item.url.startsWith(`${evo.url}/files/`)).toBe(true);
  expect(frame).toContain("image_start");
  expect(Date.parse(expires_at)).toBeGreaterThan(Date.now() + 71 * 3600_000);
  expect(evo.requests.filter((r) => r.path === "/api/v1/files/upload/stream")).toHaveLength(1);

  const gen = await call(carol, "generate_video", {
    model: "kling-v3-image-to-video",
    prompt: "Boats rock gently in the harbour",
    reference_media: [item],
    params: { duration: 5 },
  });
  expect(gen.isError, textOf(gen)).toBeFalsy();
  const got = await call(carol, "get_task", { task_id: out(gen).task.task_id, wait_seconds: 5 });
  expect(got.isError, textOf(got)).toBeFalsy();
  expect(out(got).task).toMatchObject({ status: "succeeded", final_credits: 27 });
  expect(evo.balance(h.keys["carol:evolink"] as string).used).toBe(27);
});
