/**
 * Reference for the upload benchmark: the most direct way to send a file to
 * `POST /api/v1/files` from Node — a streamed undici multipart POST of a disk-backed Blob,
 * no MCP in between. Runs in its own process so its memory can be measured like the
 * server's. Driven over IPC by bench/run.mjs.
 */
import { openAsBlob } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { Agent, FormData, request } from "undici";

const agent = new Agent();

/**
 * `buffered: true` is the calibration for the memory figure: the whole file read into
 * memory first, as a server that does not stream would, then sent the same way.
 */
async function upload({ baseUrl, key, path, mimeType, model, buffered = false }) {
  const form = new FormData();
  form.append("kind", "image");
  form.append("model", model);
  const file = buffered
    ? new Blob([await readFile(path)], { type: mimeType })
    : await openAsBlob(path, { type: mimeType });
  form.append("file", file, basename(path));
  const started = performance.now();
  const res = await request(`${baseUrl}/api/v1/files`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, accept: "application/json" },
    body: form,
    dispatcher: agent,
  });
  const json = await res.body.json();
  if (res.statusCode !== 201)
    throw new Error(`upload failed: ${res.statusCode} ${JSON.stringify(json)}`);
  return { ms: performance.now() - started, id: json.id, size: json.size_bytes };
}

process.on("message", async (msg) => {
  try {
    process.send({ id: msg.id, ok: true, result: await upload(msg) });
  } catch (err) {
    process.send({ id: msg.id, ok: false, error: err instanceof Error ? err.stack : String(err) });
  }
});
process.on("disconnect", () => process.exit(0));
process.send({ ready: true });
