/** Types for png.mjs, which test/fixtures/images.ts imports. */
export function encodePng(width: number, height: number, rows: Buffer, level?: number): Buffer;
export function pngOfSize(maxBytes: number, width?: number): Buffer;
export function writePng(path: string, maxBytes: number): Promise<number>;
