/**
 * EvoLink over Streamable HTTP: text- and image-to-video through the four tools with the
 * SDK's own client, and a person's own EvoLink key from the tokens file (evolink_key_env).
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyEnvsOf } from "../../src/transports/people.js";
import { createToken, loadTokensFile } from "../../src/transports/tokens.js";
import { call, type HttpHarness, out, startHttpHarness, textOf } from "../helpers/http-harness.js";

let h: HttpHarness;
beforeAll(async () => {
  h = await startHttpHarness({
    people: [{ name: "alice", evolinkKeyEnv: "EVOLINK_KEY_ALICE" }, { name: "bob" }],
    evolink: { pendingMs: 40, processingMs: 80, rateLimitPerMinute: null },
  });
});
afterAll(() => h.close());

const evo = () => h.evo as NonNullable<HttpHarness["evo"]>;

describe("over HTTP", () => {
  it("text-to-video and image-to-video end to end, each charged to the caller's own key", async () => {
    const alice = await h.connect(h.tokens.alice);
    const models = out(await call(alice, "list_models"));
    expect(models.balances).toContainEqual(
      expect.objectContaining({ provider: "evolink", configured: true, credits: 1000 }),
    );

    const t2v = await call(alice, "generate_video", {
      model: "kling-v3-text-to-video",
      prompt: "A kite over a beach",
      params: { duration: 6, sound: "on" },
      client_request_id: "alice-1",
    });
    expect(t2v.isError, textOf(t2v)).toBeFalsy();
    const taskId = out(t2v).task.task_id;
    const done = out(await call(alice, "get_task", { task_id: taskId, wait_seconds: 5 }));
    expect(done.task).toMatchObject({ status: "succeeded", final_credits: 48.6 });
    expect(evo().balance(h.keys["alice:evolink"] as string).used).toBe(48.6);

    const bob = await h.connect(h.tokens.bob);
    const i2v = await call(bob, "generate_video", {
      model: "kling-v3-image-to-video",
      prompt: "The kite lands",
      reference_media: [{ url: "https://example.com/kite.png", kind: "image" }],
      wait_seconds: 5,
    });
    expect(i2v.isError, textOf(i2v)).toBeFalsy();
    expect(out(i2v).task).toMatchObject({ status: "succeeded", final_credits: 27 });
    // Bob has no key of his own: the server's pays.
    expect(evo().balance(h.keys["server:evolink"] as string).used).toBe(27);
    // Another person's task is not found for bob.
    const peek = await call(bob, "get_task", { task_id: taskId });
    expect(textOf(peek)).toContain(`No task ${taskId} among yours`);
  });
});

describe("the tokens file", () => {
  it("stores an evolink_key_env beside rivya_key_env, and refuses a pasted key", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rivya-tokens-"));
    try {
      const file = join(dir, "tokens.json");
      await createToken(file, { name: "carol", rivyaKeyEnv: "RK", evolinkKeyEnv: "EK" });
      const entry = (await loadTokensFile(file)).tokens[0];
      expect(entry).toMatchObject({ rivya_key_env: "RK", evolink_key_env: "EK" });
      expect(keyEnvsOf(entry as NonNullable<typeof entry>)).toEqual([
        ["rivya", "RK"],
        ["evolink", "EK"],
      ]);
      await expect(
        createToken(file, { name: "dave", evolinkKeyEnv: "sk-evo-123" }),
      ).rejects.toThrow("--evolink-key-env takes an environment variable NAME");
      expect(await readFile(file, "utf8")).not.toContain("sk-evo");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
