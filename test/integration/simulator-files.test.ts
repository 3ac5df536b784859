/** The Files API: magic-byte checks, per-kind and per-model rules, ownership, CDN URLs. */
import { Readable } from "node:stream";
import { FormData, Response } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../src/providers/rivya/simulator/index.js";
import { readMultipart } from "../../src/simulator-kit/multipart.js";
import { SAMPLE_MP4 } from "../../src/simulator-kit/sample-video.js";
import {
  jpegBytes,
  largePngBytes,
  pdfBytes,
  pngBytes,
  textBytes,
  webpBytes,
} from "../fixtures/images.js";
import { call, newKey, uploadForm } from "../fixtures/sim-http.js";

let sim: Simulator;
const key = newKey();
beforeAll(async () => {
  sim = await startSimulator({ rateLimit: null });
});
afterAll(() => sim.close());

const upload = (form: FormData, k = key) =>
  call(sim.url, "POST", "/api/v1/files", { key: k, form });

async function expectRefused(form: FormData, ...fragments: string[]) {
  const res = await upload(form);
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.error.code).toBe("validation_failed");
  for (const f of fragments) expect(res.body.error.message).toContain(f);
  return res.body.error.message as string;
}

describe("POST /api/v1/files accepts real media", () => {
  for (const [name, bytes, mime] of [
    ["frame.png", pngBytes(), "image/png"],
    ["frame.jpg", jpegBytes(), "image/jpeg"],
    ["frame.webp", webpBytes(), "image/webp"],
  ] as const) {
    it(`stores ${mime} and serves it back`, async () => {
      const uploadedBefore = sim.stats().filesUploaded;
      const res = await upload(uploadForm(bytes, name, { kind: "image", model: "kling-3-0" }));
      expect(res.status).toBe(201);
      const file = res.body;
      expect(file).toMatchObject({
        object: "file",
        kind: "image",
        name,
        mime_type: mime,
        size_bytes: bytes.length,
      });
      expect(file.id).toMatch(/^file_/);
      expect(file.url).toBe(`${sim.url}/cdn/files/${file.id}/${name}`);
      expect(file.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(file).not.toHaveProperty("duration_token");
      expect(sim.stats().filesUploaded).toBe(uploadedBefore + 1);

      const meta = await call(sim.url, "GET", `/api/v1/files/${file.id}`, { key });
      expect(meta.status).toBe(200);
      expect(meta.body).toEqual(file);

      const download = await call(sim.url, "GET", new URL(file.url).pathname); // no key needed
      expect(download.status).toBe(200);
      expect(download.headers["content-type"]).toBe(mime);
      expect(Buffer.compare(download.body, bytes)).toBe(0);
    });
  }

  it("takes the content type from the bytes, not the name", async () => {
    const res = await upload(uploadForm(jpegBytes(), "looks-like.png", { kind: "image" }));
    expect(res.status).toBe(201);
    expect(res.body.mime_type).toBe("image/jpeg");
  });

  it("returns duration fields for video", async () => {
    const res = await upload(
      uploadForm(SAMPLE_MP4, "clip.mp4", { kind: "video", client_request_id: "trace-1" }),
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: "video", mime_type: "video/mp4" });
    expect(res.body.duration_seconds).toBeGreaterThan(0);
    expect(typeof res.body.duration_token).toBe("string");
  });

  it("accepts the file part before the kind field", async () => {
    const form = new FormData();
    form.append("file", new Blob([pngBytes()]), "first.png");
    form.append("kind", "image");
    expect((await upload(form)).status).toBe(201);
  });
});

describe("POST /api/v1/files refuses", () => {
  it("a text file named .png", async () => {
    await expectRefused(
      uploadForm(textBytes(), "fake.png", { kind: "image" }),
      "not a recognised image",
    );
  });

  it("a PDF", async () => {
    await expectRefused(
      uploadForm(pdfBytes(), "doc.png", { kind: "image" }),
      "application/pdf",
      "image/png",
    );
  });

  it("an image for kind video", async () => {
    await expectRefused(
      uploadForm(pngBytes(), "a.png", { kind: "video" }),
      "image/png",
      "video/mp4",
    );
  });

  it("an 11 MB image, whichever order the parts come in", async () => {
    const big = largePngBytes(11 * 1024 * 1024);
    await expectRefused(uploadForm(big, "big.png", { kind: "image" }), "too large", "10 MB");
    const form = new FormData();
    form.append("file", new Blob([big]), "big.png");
    form.append("kind", "image");
    form.append("model", "kling-v2-1-master");
    await expectRefused(form, "too large", "kling-v2-1-master");
  });

  it("a kind the model does not accept", async () => {
    const message = await expectRefused(
      uploadForm(SAMPLE_MP4, "clip.mp4", { kind: "video", model: "kling-3-0" }),
      "video",
      "kling-3-0",
    );
    expect(message).toContain("accepted kinds: image");
  });

  it("missing or bad fields", async () => {
    await expectRefused(uploadForm(pngBytes(), "a.png", {}), "kind");
    await expectRefused(uploadForm(pngBytes(), "a.png", { kind: "picture" }), "kind", '"image"');
    await expectRefused(
      uploadForm(pngBytes(), "a.png", { kind: "image", model: "nope" }),
      '"nope"',
    );
    await expectRefused(
      uploadForm(pngBytes(), "a.png", { kind: "image", client_request_id: "x".repeat(129) }),
      "client_request_id",
      "128",
    );
    await expectRefused(uploadForm(Buffer.alloc(0), "a.png", { kind: "image" }), "empty");
    const noFile = new FormData();
    noFile.append("kind", "image");
    await expectRefused(noFile, "file is required");
    const twoFiles = uploadForm(pngBytes(), "a.png", { kind: "image" });
    twoFiles.append("file", new Blob([pngBytes()]), "b.png");
    await expectRefused(twoFiles, "one file");
  });

  it("a body that is not multipart", async () => {
    const res = await call(sim.url, "POST", "/api/v1/files", { key, json: { kind: "image" } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain("multipart/form-data");
  });
});

describe("GET /api/v1/files/{id}", () => {
  it("hides another account's file and unknown ids behind 404", async () => {
    const { body } = await upload(uploadForm(pngBytes(), "mine.png", { kind: "image" }));
    for (const res of [
      await call(sim.url, "GET", `/api/v1/files/${body.id}`, { key: newKey() }),
      await call(sim.url, "GET", "/api/v1/files/file_missing", { key }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("not_found");
    }
  });
});

describe("readMultipart", () => {
  it("counts an oversized file but keeps only the bytes up to the limit", async () => {
    const encoded = new Response(uploadForm(Buffer.alloc(50_000, 7), "big.bin", { kind: "image" }));
    const req = Object.assign(Readable.from([Buffer.from(await encoded.arrayBuffer())]), {
      headers: { "content-type": encoded.headers.get("content-type") ?? "" },
    });
    const seen: string[] = [];
    const parsed = await readMultipart(req as never, (fields) => {
      seen.push(fields.get("kind") ?? "");
      return 1000;
    });
    expect(seen).toEqual(["image"]); // fields before the file inform the limit
    expect(parsed.file?.size).toBe(50_000);
    expect(parsed.file?.bytes.length).toBeLessThanOrEqual(1000);
  });
});
