/**
 * Hosted mode with one server key: alice's and bob's uploads sit in the same provider
 * account, so the server remembers whose each file is. bob passing alice's uploaded link to
 * generate_video is refused before anything is paid; alice herself uses it as usual.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.js";
import { pngBytes } from "../fixtures/images.js";
import { call, type HttpHarness, out, startHttpHarness, textOf } from "../helpers/http-harness.js";

let h: HttpHarness;
const logs: string[] = [];
beforeAll(async () => {
  h = await startHttpHarness({
    people: [{ name: "alice" }, { name: "bob" }],
    log: createLogger({ level: "debug", write: (line) => logs.push(line) }),
  });
});
afterAll(() => h.close());

const upload = (c: Awaited<ReturnType<HttpHarness["connect"]>>) =>
  call(c, "upload_reference", { model: "kling-3-0", base64: pngBytes().toString("base64") });

const generate = (
  c: Awaited<ReturnType<HttpHarness["connect"]>>,
  item: unknown,
  client_request_id: string,
) =>
  call(c, "generate_video", {
    model: "kling-3-0",
    prompt: "A red square, spinning",
    params: { duration: 4 },
    reference_media: [item],
    client_request_id,
  });

describe("uploads over HTTP, two people on one server key", () => {
  it("bob cannot use alice's upload; alice can", async () => {
    const alice = await h.connect(h.tokens.alice);
    const bob = await h.connect(h.tokens.bob);
    const uploaded = await upload(alice);
    expect(uploaded.isError, textOf(uploaded)).toBeFalsy();
    const item = out(uploaded).reference_media_item;
    expect(await h.store.uploadOwner(item.url)).toBe("alice");

    const refused = await generate(bob, item, "bob-1");
    expect(refused.isError).toBe(true);
    const text = textOf(refused);
    expect(text).toContain("reference_media[0].url");
    expect(text).toContain("another person of this server");
    expect(text).toContain("upload_reference");
    expect(text).not.toContain("alice");
    expect(h.sim.stats()).toMatchObject({ tasksCreated: 0, creditsCharged: 0 });
    // Refused before the intent: nothing of bob's in the ledger.
    expect(await h.store.list("bob", 10)).toEqual([]);

    const accepted = await generate(alice, item, "alice-1");
    expect(accepted.isError, textOf(accepted)).toBeFalsy();
    expect(h.sim.stats().tasksCreated).toBe(1);

    // bob's own copy is his to use.
    const own = out(await upload(bob)).reference_media_item;
    expect(own.url).not.toBe(item.url);
    const mine = await generate(bob, own, "bob-2");
    expect(mine.isError, textOf(mine)).toBeFalsy();
    expect(h.sim.stats().tasksCreated).toBe(2);
  });

  it("an upload whose owner cannot be recorded is still returned, and the failure logged", async () => {
    const alice = await h.connect(h.tokens.alice);
    const record = h.store.recordUpload;
    h.store.recordUpload = async () => {
      throw new Error("disk full (simulated)");
    };
    try {
      const uploaded = await upload(alice);
      expect(uploaded.isError, textOf(uploaded)).toBeFalsy();
      const { url } = out(uploaded).reference_media_item;
      expect(await h.store.uploadOwner(url)).toBeUndefined();
      const line = logs.find((l) => l.includes("could not record an upload's owner"));
      expect(line).toContain("disk full (simulated)");
      expect(line).not.toContain(url);
    } finally {
      h.store.recordUpload = record;
    }
  });
});
