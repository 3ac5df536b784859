/**
 * 4. Upload: a PNG just under 10 MiB sent through `upload_reference` (by local path, over
 * stdio) vs a direct streamed undici multipart POST of the same file to the same simulator
 * from a separate reference process. Time runs from sending the request to reading the
 * answer, both measured here. Memory, for the server process and the reference process
 * during each upload (lib/mem.mjs): peak RSS growth, and the peak of file bytes read but not
 * yet sent (/proc/<pid>/io). Both first upload a small PNG, so one-time code loading is not
 * counted. A calibration run sends the file the buffered way (read whole, then POST) from
 * the reference process, to show what each figure looks like when a file IS held.
 */
import { join } from "node:path";
import { startReferenceUploader } from "../lib/children.mjs";
import { peakGrowth } from "../lib/mem.mjs";
import { writePng } from "../lib/png.mjs";
import { allPass, atLeast, atMost, interleave, median, ratio } from "../lib/stats.mjs";

const MODEL = "kling-3-0";

export async function upload(
  ctx,
  { rounds = 5, warmup = 1, sizeBytes = 10 * 1024 * 1024 - 1024 } = {},
) {
  const big = join(ctx.files, "reference-big.png");
  const small = join(ctx.files, "reference-small.png");
  const size = await writePng(big, sizeBytes);
  await writePng(small, 64 * 1024);
  const proc = ctx.spawnServer();
  const uploader = await startReferenceUploader();
  const direct = (path, extra = {}) =>
    uploader.upload({
      baseUrl: ctx.fastSim.url,
      key: ctx.key,
      path,
      mimeType: "image/png",
      model: MODEL,
      ...extra,
    });
  try {
    await proc.open();
    await proc.call("upload_reference", { model: MODEL, path: small });
    await direct(small);

    const timed = async (fn) => {
      const t = performance.now();
      await fn();
      return performance.now() - t;
    };
    const { a, b } = await interleave(
      rounds,
      warmup,
      () =>
        peakGrowth(proc.pid, () =>
          timed(async () => {
            const r = await proc.call("upload_reference", { model: MODEL, path: big });
            if (r.structuredContent.size_bytes !== size) throw new Error("size mismatch");
          }),
        ),
      () => peakGrowth(uploader.pid, () => timed(() => direct(big))),
    );
    // Calibration last, so its memory cannot colour the reference's runs.
    const buffered = [];
    for (let i = 0; i < 2; i++)
      buffered.push(await peakGrowth(uploader.pid, () => direct(big, { buffered: true })));
    const mibps = (msec) => size / 1024 / 1024 / (msec / 1000);
    const side = (runs) => ({
      ms: median(runs.map((s) => s.result)),
      mibps: median(runs.map((s) => mibps(s.result))),
      growth: Math.max(...runs.map((s) => s.growth)),
      medianGrowth: median(runs.map((s) => s.growth)),
      growths: runs.map((s) => s.growth),
      held: Math.max(...runs.map((s) => s.held)),
    });
    const server = side(a);
    const reference = side(b);
    const calibration = side(buffered);
    const thresholds = {
      throughput: atLeast(server.mibps / reference.mibps, 0.8, ratio),
      memory: atMost(server.growth / size, 0.5, (v) => `${ratio(v)} file`),
      held: atMost(server.held / size, 0.5, (v) => `${ratio(v)} file (streamed)`),
    };
    return {
      id: "upload",
      size,
      rounds,
      memoryMethod: a[0]?.method,
      server,
      reference,
      buffered: calibration,
      ratio: server.mibps / reference.mibps,
      memoryShare: server.growth / size,
      heldShare: server.held / size,
      thresholds,
      pass: allPass(thresholds),
    };
  } finally {
    await proc.kill();
    await uploader.close();
  }
}
