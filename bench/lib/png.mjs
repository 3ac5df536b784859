/**
 * The one PNG writer of the benchmarks and the tests (test/fixtures/images.ts): real,
 * decodable 8-bit RGB files with filter 0. `pngOfSize` keeps the pixel rows in stored
 * (uncompressed) deflate blocks, so the file size is set by the pixel count and the content
 * is random noise no codec could shrink anyway.
 */
import { randomFillSync } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { crc32, deflateSync } from "node:zlib";

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "ascii");
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** `rows`: `height` rows of one filter byte (0) and `width` RGB triples each. */
export function encodePng(width, height, rows, level = 6) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type RGB, default methods, no interlace
  return Buffer.concat([
    SIGNATURE,
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(rows, { level })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

export function pngOfSize(maxBytes, width = 1024) {
  const rowBytes = 1 + width * 3;
  // Stored blocks cost 5 bytes per ≤64 KiB; headers and chunks under 100 bytes.
  let height = Math.floor((maxBytes - 200) / (rowBytes * (1 + 5 / 65535)));
  for (;;) {
    const raw = Buffer.alloc(rowBytes * height);
    randomFillSync(raw);
    for (let y = 0; y < height; y++) raw[y * rowBytes] = 0; // filter type: none
    const png = encodePng(width, height, raw, 0);
    if (png.length <= maxBytes) return png;
    height -= Math.ceil((png.length - maxBytes) / rowBytes);
  }
}

export async function writePng(path, maxBytes) {
  const png = pngOfSize(maxBytes);
  await writeFile(path, png);
  return png.length;
}
