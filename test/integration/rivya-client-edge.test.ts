/**
 * The Rivya client over real HTTP against tiny throwaway servers, for upstream behaviours
 * the simulator does not produce: HTTP-date Retry-After, non-JSON 5xx bodies, camelCase
 * files, a bare-array /models, slow headers, garbage 2xx, dropped connections.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createRivyaClient, type RivyaClientOptions } from "../../src/providers/rivya/client.js";
import {
  AuthError,
  NetworkError,
  RateLimitedError,
  RivyaError,
  TimeoutError,
  UpstreamUnavailableError,
} from "../../src/providers/rivya/errors.js";

const KEY = "rvya_sk_edge_SECRET_9f8e7d";
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
const TASK = { id: "task_1", status: "queued", model: "m", reserved_credits: 5, final_credits: 0 };

interface Hit {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}
type Handler = (req: IncomingMessage, res: ServerResponse, hit: Hit, n: number) => void;

const servers: { close(): void; closeAllConnections(): void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

async function serve(handler: Handler): Promise<{ url: string; hits: Hit[] }> {
  const hits: Hit[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const hit = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: "" };
    hit.body = Buffer.concat(chunks).toString("latin1");
    hits.push(hit);
    handler(req, res, hit, hits.length);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

const json = (res: ServerResponse, status: number, body: unknown, headers = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(typeof body === "string" ? body : JSON.stringify(body));
};

function client(url: string, extra: Partial<RivyaClientOptions> = {}) {
  const delays: number[] = [];
  const c = createRivyaClient({
    baseUrl: url,
    apiKey: KEY,
    sleep: async (ms) => {
      delays.push(ms);
    },
    ...extra,
  });
  return Object.assign(c, { delays });
}

const leaks = (e: unknown) => {
  const text = `${String((e as Error).message)} ${JSON.stringify(e)}`;
  return text.includes(KEY) || /authorization/i.test(JSON.stringify(e));
};

describe("Rivya client against edge-case servers", () => {
  it("honours an HTTP-date Retry-After, then succeeds", async () => {
    const s = await serve((_req, res, _hit, n) => {
      const at = new Date(Date.now() + 2000).toUTCString();
      if (n === 1)
        json(res, 503, { error: { code: "public_api_disabled" } }, { "retry-after": at });
      else json(res, 200, { current_credits: 42 });
    });
    const c = client(s.url);
    expect(await c.getCredits()).toBe(42);
    expect(c.delays).toHaveLength(1);
    expect(c.delays[0]).toBeGreaterThanOrEqual(1000);
    expect(c.delays[0]).toBeLessThanOrEqual(2000);
    expect(s.hits[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it("maps a non-JSON 500 to UpstreamUnavailableError after the capped attempts", async () => {
    const s = await serve((_req, res) => {
      res.writeHead(500, { "content-type": "text/html" });
      res.end("<html><body>Gateway exploded</body></html>");
    });
    const retries: string[] = [];
    const c = client(s.url, { onRetry: (i) => retries.push(`${i.attempt}:${i.reason}`) });
    const err = await c.getGeneration("task_x").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect(err).toMatchObject({ status: 500, code: "upstream_unavailable" });
    expect((err as Error).message).toMatch(/Gateway exploded.*Gave up after 4 attempts/);
    expect(s.hits).toHaveLength(4);
    expect(retries).toEqual([
      "1:HTTP 500 upstream_unavailable",
      "2:HTTP 500 upstream_unavailable",
      "3:HTTP 500 upstream_unavailable",
    ]);
    expect(leaks(err)).toBe(false);
  });

  it("stops at once when Retry-After exceeds the time budget", async () => {
    const s = await serve((_req, res) =>
      json(
        res,
        429,
        { error: { code: "rate_limited", message: "slow", request_id: "req_9" } },
        { "retry-after": "120" },
      ),
    );
    const err = await client(s.url)
      .getCredits()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err).toMatchObject({ retryAfterSeconds: 120, requestId: "req_9", status: 429 });
    expect(s.hits).toHaveLength(1);
  });

  it("reads camelCase file objects and a bare-array /models without sending the key", async () => {
    const file = {
      id: "file_1",
      url: "https://cdn/x.png",
      kind: "image",
      name: "x.png",
      mimeType: "image/png",
      sizeBytes: 12,
      createdAt: "2026-05-11T00:00:00.000Z",
      extra: 1,
    };
    const s = await serve((req, res) => {
      if (req.url === "/api/v1/models") json(res, 200, [{ id: "a", display_name: "A" }, "junk"]);
      else json(res, req.method === "POST" ? 201 : 200, file);
    });
    const c = client(`${s.url}/`);
    expect((await c.listModels()).map((m) => m.id)).toEqual(["a"]);
    expect(s.hits[0]?.headers.authorization).toBeUndefined();
    const up = await c.uploadFile({
      data: PNG,
      filename: "x.png",
      mimeType: "image/png",
      kind: "image",
      model: "kling-3-0",
      clientRequestId: "c-1",
    });
    expect(up).toMatchObject({
      id: "file_1",
      mimeType: "image/png",
      sizeBytes: 12,
      createdAt: file.createdAt,
    });
    const form = s.hits[1];
    expect(form?.headers["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
    expect(form?.headers["idempotency-key"]).toBeUndefined();
    for (const part of [
      'name="kind"',
      'name="model"',
      'name="client_request_id"',
      'filename="x.png"',
      "kling-3-0",
      "c-1",
    ]) {
      expect(form?.body).toContain(part);
    }
  });

  it("encodes path parameters", async () => {
    const s = await serve((_req, res) => json(res, 200, { ...TASK, status: "succeeded" }));
    await client(s.url).getGeneration("a/b c?d#e");
    expect(s.hits[0]?.url).toBe("/api/v1/generations/a%2Fb%20c%3Fd%23e");
  });

  it("turns slow headers into TimeoutError (retrying GETs within the cap)", async () => {
    // undici's headers timer ticks at ~0.5 s resolution, so the server is far slower than that.
    const s = await serve((_req, res) =>
      setTimeout(() => json(res, 200, { current_credits: 1 }), 4000),
    );
    const c = client(s.url, { timeouts: { headersMs: 100 }, retry: { maxAttempts: 2 } });
    const err = await c.getCredits().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ code: "timeout" });
    expect((err as Error).message).toContain("UND_ERR_HEADERS_TIMEOUT");
    expect(s.hits).toHaveLength(2);
    await c.close();
  });

  it("accepts any 2xx for a create and reports replays; rejects a garbage 2xx clearly", async () => {
    const statuses = [201, 200];
    const s = await serve((_req, res, _hit, n) => {
      if (n <= 2) json(res, statuses[n - 1] ?? 500, TASK);
      else json(res, 202, { ok: true });
    });
    const c = client(s.url);
    const body = { model: "m", prompt: "p" };
    const a = await c.createGeneration(body, { idempotencyKey: "idem-A" });
    const b = await c.createGeneration(body, { idempotencyKey: "idem-A" });
    expect([a.replayed, b.replayed]).toEqual([false, true]);
    expect(s.hits.map((h) => h.headers["idempotency-key"])).toEqual(["idem-A", "idem-A"]);
    const err = await c.createGeneration(body).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RivyaError);
    expect(err).toMatchObject({ code: "unexpected_response", status: 202 });
    expect((err as RivyaError).idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("resends a dropped create with the same Idempotency-Key but never a dropped upload", async () => {
    const s = await serve((req, res, _hit, n) => {
      if (n === 1 || req.url === "/api/v1/files") req.socket.destroy();
      else json(res, 202, TASK);
    });
    const c = client(s.url);
    const r = await c.createGeneration({ model: "m", prompt: "p" });
    expect(r.task.id).toBe("task_1");
    expect(s.hits.map((h) => h.headers["idempotency-key"])).toEqual([
      r.idempotencyKey,
      r.idempotencyKey,
    ]);
    const err = await c
      .uploadFile({ data: PNG, filename: "a.png", mimeType: "image/png", kind: "image" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as Error).message).toMatch(/may have received the request; it was not resent/);
    expect(s.hits.filter((h) => h.url === "/api/v1/files")).toHaveLength(1);
  });

  it("resends an upload answered 429 or 503 (not processed), never one answered 500", async () => {
    const replies = [429, 503, 201, 500];
    const s = await serve((_req, res, hit, n) => {
      const status = replies[n - 1] ?? 500;
      if (status === 201) json(res, 201, { id: "file_2", url: "u", size_bytes: hit.body.length });
      else json(res, status, { error: { code: "busy" } }, { "retry-after": "0" });
    });
    const c = client(s.url, {
      onRetry: () => {
        throw new Error("a faulty logging hook must not break the call");
      },
    });
    const input = { data: PNG, filename: "p.png", mimeType: "image/png", kind: "image" } as const;
    const file = await c.uploadFile(input);
    expect(file).toMatchObject({
      id: "file_2",
      kind: "image",
      name: "p.png",
      mimeType: "image/png",
    });
    expect(s.hits.map((h) => h.body.length)).toEqual([
      file.sizeBytes,
      file.sizeBytes,
      file.sizeBytes,
    ]);
    const err = await c.uploadFile(input).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect(s.hits).toHaveLength(4);
  });

  it("retries a refused connection, even for an upload, then gives a NetworkError", async () => {
    const s = await serve(() => {});
    const dead = s.url;
    for (const srv of servers.splice(0)) srv.close();
    const retries: string[] = [];
    const c = client(dead, { onRetry: (i) => retries.push(i.reason) });
    const err = await c
      .uploadFile({ data: PNG, filename: "a.png", mimeType: "image/png", kind: "image" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect(retries).toEqual(["ECONNREFUSED", "ECONNREFUSED", "ECONNREFUSED"]);
    expect(leaks(err)).toBe(false);
  });

  it("refuses keyless calls locally and aborts a hanging request at once", async () => {
    const s = await serve(() => {});
    const keyless = createRivyaClient({ baseUrl: s.url });
    const err = await keyless
      .createGeneration({ model: "m", prompt: "p" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err).toMatchObject({ code: "api_key_missing" });
    expect(s.hits).toHaveLength(0);
    const ac = new AbortController();
    // The server never answers: only the abort can end this call.
    const pending = client(s.url).getCredits({ signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
  });
});

describe("what proves a Rivya create did nothing", () => {
  it("only Rivya's own public_api_disabled 503 does; a proxy's bare 503 does not", async () => {
    const { UpstreamUnavailableError } = await import("../../src/providers/rivya/errors.js");
    const { rivyaCreatedNothing } = await import("../../src/providers/rivya/provider.js");
    const disabled = new UpstreamUnavailableError("off", {
      code: "public_api_disabled",
      status: 503,
    });
    const bare = new UpstreamUnavailableError("503", { code: "http_503", status: 503 });
    expect(rivyaCreatedNothing(disabled)).toBe(true);
    expect(rivyaCreatedNothing(bare)).toBe(false);
  });
});
