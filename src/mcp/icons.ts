/**
 * Icons hosts may show next to the server and its tools. Inline SVG data URIs: nothing to
 * fetch, nothing that can go stale, and each is small because tools/list carries them into
 * every conversation (issue 3/7's size bound holds them).
 */
import type { Icon } from "@modelcontextprotocol/server";

const svg = (path: string): Icon => ({
  // Escaped only where a URL must be, to keep each icon near 100 bytes.
  src: `data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 8 8'><path d='${path}'/></svg>`
    .replace(/</g, "%3C")
    .replace(/>/g, "%3E")
    .replace(/ /g, "%20"),
});

/** A play button in a frame: the server as a whole. */
export const SERVER_ICONS: Icon[] = [
  {
    ...svg("M0 1h8v6H0zM3 2.5v3L5.5 4z"),
    mimeType: "image/svg+xml",
    sizes: ["any"],
  },
];

/** One glyph per tool; a tool not named here is published without an icon. */
export const TOOL_ICONS: Record<string, Icon[]> = {
  list_models: [svg("M1 1h6v1H1zM1 3.5h6v1H1zM1 6h6v1H1z")],
  upload_reference: [svg("M4 1 1 4h2v3h2V4h2z")],
  generate_video: [svg("M2 1v6l5-3z")],
  get_task: [svg("M4 0a4 4 0 1 0 0 8 4 4 0 0 0 0-8zm-.5 2h1v2l1.5 1-.5.8L3.5 4.5z")],
};
