/** The route table: path, scope, fault eligibility and handler of every endpoint. */

import { notFound } from "../../../simulator-kit/http.js";
import { SAMPLE_MP4 } from "../../../simulator-kit/sample-video.js";
import { ownerOf, type Route, type RouteContext } from "./context.js";
import { createGeneration } from "./generations.js";
import { uploadFile } from "./uploads.js";

const param = (ctx: RouteContext, i: number) => ctx.params[i] ?? "";

export const ROUTES: readonly Route[] = [
  {
    method: "GET",
    pattern: /^\/api\/v1\/models$/,
    scope: null,
    api: true,
    handle: (ctx) => ({ status: 200, body: ctx.state.modelList }),
  },
  {
    method: "POST",
    pattern: /^\/api\/v1\/generations$/,
    scope: "generations:create",
    api: true,
    droppable: true,
    saves: true,
    handle: createGeneration,
  },
  {
    method: "GET",
    pattern: /^\/api\/v1\/generations\/([^/]+)$/,
    scope: "generations:read",
    api: true,
    handle: (ctx) => {
      const task = ctx.state.tasks.get(param(ctx, 0), ownerOf(ctx), Date.now());
      if (!task) throw notFound("no such task for this account");
      return { status: 200, body: task };
    },
  },
  {
    method: "POST",
    pattern: /^\/api\/v1\/files$/,
    scope: "files:create",
    api: true,
    saves: true,
    handle: uploadFile,
  },
  {
    method: "GET",
    pattern: /^\/api\/v1\/files\/([^/]+)$/,
    scope: "files:read",
    api: true,
    handle: (ctx) => {
      const file = ctx.state.files.meta(param(ctx, 0), ownerOf(ctx));
      if (!file) throw notFound("no such file for this account");
      return { status: 200, body: file };
    },
  },
  {
    method: "GET",
    pattern: /^\/api\/v1\/credits$/,
    scope: "credits:read",
    api: true,
    handle: (ctx) => ({ status: 200, body: { current_credits: ownerOf(ctx).credits } }),
  },
  {
    method: "GET",
    pattern: /^\/results\/([^/]+)\.mp4$/,
    scope: null,
    api: false,
    handle: (ctx) => {
      if (!ctx.state.tasks.hasResult(param(ctx, 0), Date.now())) throw notFound("no such result");
      return { status: 200, raw: { contentType: "video/mp4", bytes: SAMPLE_MP4 } };
    },
  },
  {
    method: "GET",
    pattern: /^\/cdn\/files\/([^/]+)\/[^/]+$/,
    scope: null,
    api: false,
    handle: (ctx) => {
      const file = ctx.state.files.download(param(ctx, 0));
      if (!file) throw notFound("no such file");
      return { status: 200, raw: { contentType: file.mime, bytes: file.bytes } };
    },
  },
];

/** The route for a request and its decoded path parameters; HEAD is served as GET. */
export function matchRoute(
  method: string,
  path: string,
): { route: Route; params: string[] } | undefined {
  const wanted = method === "HEAD" ? "GET" : method;
  for (const route of ROUTES) {
    const m = route.method === wanted ? route.pattern.exec(path) : null;
    if (!m) continue;
    try {
      return { route, params: m.slice(1).map((p) => decodeURIComponent(p)) };
    } catch {
      return undefined; // malformed percent-encoding: no such resource
    }
  }
  return undefined;
}
