/**
 * Writes a real, decodable PNG of a chosen size: 8-bit RGB, filter 0, with the pixel rows
 * kept in stored (uncompressed) deflate blocks, so the file size is set by the pixel count
 * and the content is random noise no codec could shrink anyway.
 */
import { randomFillSync } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { crc32, deflateSync } from "node:zlib";

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "ascii");
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

export function pngOfSize(maxBytes, width = 1024) {
  const rowBytes = 1 + width * 3;
  // Stored blocks cost 5 bytes per ≤64 KiB; headers and chunks under 100 bytes.
  let height = Math.floor((maxBytes - 200) / (rowBytes * (1 + 5 / 65535)));
  for (;;) {
    const raw = Buffer.alloc(rowBytes * height);
    randomFillSync(raw);
    for (let y = 0; y < height; y++) raw[y * rowBytes] = 0; // filter type: none
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(width, 0);
    ihdr.writeUInt32BE(height, 4);
    ihdr[8] = 8; // bit depth
    ihdr[9] = 2; // colour type: RGB
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk("IHDR", ihdr),
      chunk("IDAT", deflateSync(raw, { level: 0 })),
      chunk("IEND", Buffer.alloc(0)),
    ]);
    if (png.length <= maxBytes) return png;
    height -= Math.ceil((png.length - maxBytes) / rowBytes);
  }
}

export async function writePng(path, maxBytes) {
  const png = pngOfSize(maxBytes);
  await writeFile(path, png);
  return png.length;
}
