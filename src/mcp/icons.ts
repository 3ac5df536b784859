/**
 * Icons hosts show next to the server and each tool: inline SVG data URIs, so there is
 * nothing to fetch and nothing that can go stale. tools/list goes into every conversation,
 * so each tool's icon is one 8×8 path in as few bytes as a valid URI allows (commas, not
 * spaces, where SVG accepts either; tools-list.test.ts holds the whole list to its budget).
 */
import type { Icon } from "@modelcontextprotocol/server";

const svg = (path: string): Icon => ({
  src: `data:image/svg+xml,%3Csvg%20xmlns='http://www.w3.org/2000/svg'%20viewBox='0,0,8,8'%3E%3Cpath%20d='${path}'/%3E%3C/svg%3E`,
});

/** A play button in a frame: the server as a whole. */
export const SERVER_ICONS: Icon[] = [
  { ...svg("M0,1h8v6H0zM3,2.5v3L5.5,4z"), mimeType: "image/svg+xml", sizes: ["any"] },
];

/** One per tool, by name: a list, an upward arrow, a play triangle, an hourglass. */
export const TOOL_ICONS: Readonly<Record<string, Icon[]>> = {
  list_models: [svg("M0,1h8v1H0zm0,3h8v1H0zm0,3h8v1H0z")],
  upload_reference: [svg("M4,0l4,4H5v4H3V4H0z")],
  generate_video: [svg("M1,0v8l7-4z")],
  get_task: [svg("M0,0h8L0,8h8z")],
};
