/**
 * The icon hosts show next to the server. An inline SVG data URI: nothing to fetch, nothing
 * that can go stale. Tools carry no icons: tools/list goes into every conversation, and four
 * of them would cost ~700 bytes of its 6,000-byte budget (tools-list.test.ts).
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
