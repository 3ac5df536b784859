/**
 * What this server says about itself, in both protocol generations: its name, instructions,
 * capabilities and how long clients may cache its lists. Kept free of the SDK and zod so the
 * stdio transport can answer a host's opening requests from it before those are loaded
 * (transports/early-answers.ts); mcp/server.ts gives the same values to the SDK.
 */
import type { TASKS_EXTENSION_ID_V2 } from "@modelcontextprotocol/ext-tasks/core/v2";
import type { Icon } from "@modelcontextprotocol/server";
import { VERSION } from "../version.js";
import { SERVER_ICONS } from "./icons.js";

/** The tasks extension's id, checked against its published wire types. */
export const TASKS_EXTENSION: typeof TASKS_EXTENSION_ID_V2 = "io.modelcontextprotocol/tasks";

export const SERVER_INFO: {
  name: string;
  title: string;
  version: string;
  icons: Icon[];
  websiteUrl: string;
} = {
  name: "rivya-mcp",
  title: "Rivya video generation",
  version: VERSION,
  icons: SERVER_ICONS,
  websiteUrl: "https://rivya.ai",
};

export const INSTRUCTIONS =
  "Generate videos with Rivya: list_models shows models, costs and parameters; upload_reference turns an image into a reference item; generate_video submits (model settings inside params; use client_request_id so retries never pay twice) and returns a task id at once; get_task reports status, cost and the video URL.";

/** Declared here, not by registerTool: this server's tool list never changes while it runs. */
export const CAPABILITIES = {
  tools: { listChanged: false },
  extensions: { [TASKS_EXTENSION]: {} },
};

/**
 * Both lists are fixed for the life of the process; a person's budget changes only with a
 * restart, so an hour is safe (hints reach 2026 clients only).
 */
export const CACHE_HINTS = {
  "tools/list": { ttlMs: 3_600_000, cacheScope: "private" },
  "server/discover": { ttlMs: 3_600_000, cacheScope: "public" },
} as const;
