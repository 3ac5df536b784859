import { describe, expect, it } from "vitest";
import { checkImageRules, measureImage } from "../../src/media/image-rules.js";
import { klingV3ImageToVideo as model } from "../../src/providers/evolink/models/kling-v3-image-to-video.js";
import { greyJpegBytes, pngBytes } from "../fixtures/images.js";

const rule = model.referenceMedia?.kinds[0] as NonNullable<typeof model.referenceMedia>["kinds"][0];

describe("image pixel rules", () => {
  it("passes the edges: 300 px sides, 1:2.5 and 2.5:1, from bytes and from a Blob", async () => {
    for (const [w, h] of [
      [300, 300],
      [300, 750],
      [750, 300],
    ] as const) {
      await expect(
        checkImageRules(pngBytes({ width: w, height: h }), rule, model),
      ).resolves.toEqual({
        width: w,
        height: h,
      });
    }
    const blob = new Blob([greyJpegBytes(400, 320)]);
    await expect(checkImageRules(blob, rule, model)).resolves.toEqual({ width: 400, height: 320 });
  });

  it("refuses just past them, naming the side or the aspect", async () => {
    await expect(
      checkImageRules(pngBytes({ width: 400, height: 299 }), rule, model),
    ).rejects.toThrow("its height is 299 px");
    await expect(
      checkImageRules(pngBytes({ width: 751, height: 300 }), rule, model),
    ).rejects.toThrow("an aspect of 2.51:1");
  });

  it("reads nothing for a rule without pixel limits", async () => {
    const plain = { kind: "image" as const, maxBytes: 1, mimeTypes: ["image/png"] };
    await expect(checkImageRules(new Uint8Array(), plain, model)).resolves.toBeUndefined();
    await expect(measureImage(new Uint8Array([1, 2, 3]))).resolves.toBeUndefined();
  });
});
