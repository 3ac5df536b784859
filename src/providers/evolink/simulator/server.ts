/**
 * The EvoLink simulator's HTTP pipeline: settle due tasks → route → auth → faults → handler →
 * latency → reply (or a dropped socket). Binds 127.0.0.1 only and prints nothing.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { mulberry32 } from "../../../simulator-kit/util.js";
import { CallbackSender } from "./callbacks.js";
import { createContext, DEFAULT_LIMITS, type SimContext } from "./context.js";
import { errorReply, filesReply, listenLoopback, type Reply, sendReply } from "./replies.js";
import * as routes from "./routes.js";
import type {
  EvolinkFaults,
  EvolinkRequestRecord,
  EvolinkSimulator,
  EvolinkSimulatorOptions,
} from "./types.js";
import { SimRequestError } from "./validate.js";

const NO_FAULTS: EvolinkFaults = { latencyMs: 0, rate5xx: 0, rate429: 0, dropAfterAccept: 0 };

/** How often tasks due on the clock are ended without a request, so callbacks go out. */
const SETTLE_EVERY_MS = 100;

export async function startEvolinkSimulator(
  opts: EvolinkSimulatorOptions = {},
): Promise<EvolinkSimulator> {
  const seed = opts.seed ?? Date.now();
  // Separate streams, so switching a fault on does not change which tasks fail.
  const faultRandom = mulberry32(seed);
  const failureRandom = mulberry32(seed ^ 0x5bd1e995);
  let faults: EvolinkFaults = { ...NO_FAULTS, ...opts.faults };
  const roll = (share: number) => share > 0 && faultRandom() < share;
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const requests: EvolinkRequestRecord[] = [];
  const sender = new CallbackSender({
    retryDelaysMs: opts.callbackRetryDelaysMs ?? [1000, 2000, 4000],
    timeoutMs: opts.callbackTimeoutMs ?? 10_000,
    maxRecords: limits.callbackRecords,
  });
  let baseUrl = "";
  const ctx = createContext(opts, limits, () => baseUrl, sender, failureRandom);
  const settle = () => ctx.tasks.settleDue(ctx.now());
  const latency = new Latency();

  function checkFaults(): void {
    if (roll(faults.rate429)) {
      const message = "Rate limit exceeded (simulated)";
      const type = "rate_limit_error";
      throw new SimRequestError(
        429,
        "rate_limit_exceeded",
        type,
        message,
        undefined,
        ctx.retryAfter,
      );
    }
    if (roll(faults.rate5xx)) {
      throw new SimRequestError(500, "internal_error", "api_error", "Internal error (simulated)");
    }
  }

  /** Result and file links need no key (they are handed out as plain URLs); the API does. */
  async function dispatch(req: IncomingMessage, method: string, path: string): Promise<Reply> {
    const open = method === "GET" ? openRoute(ctx, path) : undefined;
    if (open) return open;
    const account = ctx.accounts.authenticate(req.headers.authorization, ctx.anyKey);
    checkFaults();
    const task = /^\/v1\/tasks\/([^/]+)$/.exec(path)?.[1];
    const uploadKind = /^\/api\/v1\/files\/upload\/(base64|stream|url)$/.exec(path)?.[1];
    if (method === "POST" && path === "/v1/videos/generations") {
      return routes.createTask(ctx, req, account);
    }
    if (method === "GET" && task) return routes.getTask(ctx, decodeURIComponent(task), account);
    if (method === "GET" && path === "/v1/credits") return routes.credits(account);
    if (method === "POST" && uploadKind) {
      return filesReply(() => routes.upload(ctx, uploadKind, req));
    }
    if (method === "GET" && path === "/api/v1/files/quota") {
      return { status: 200, body: { success: true, code: 200, data: ctx.files.quota() } };
    }
    const message = `no route for ${method} ${path}`;
    throw new SimRequestError(404, "not_found", "invalid_request_error", message);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const record: EvolinkRequestRecord = { method, path, status: 0 };
    requests.push(record);
    // Kept in place (callers hold this array), oldest dropped past the cap.
    if (requests.length > limits.requestRecords) requests.shift();
    settle();
    let reply: Reply;
    try {
      reply = await dispatch(req, method, path);
    } catch (err) {
      reply = errorReply(err);
    }
    await latency.wait(faults.latencyMs);
    if (reply.droppable && reply.status < 300 && roll(faults.dropAfterAccept)) {
      record.dropped = true;
      req.socket.destroy();
      return;
    }
    record.status = reply.status;
    sendReply(res, reply);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  const port = await listenLoopback(server, opts.port ?? 0);
  baseUrl = `http://127.0.0.1:${port}`;
  const settler = setInterval(settle, SETTLE_EVERY_MS);
  settler.unref();

  return {
    url: baseUrl,
    requests,
    callbacks: sender.attempts,
    setFaults(f) {
      faults = { ...faults, ...f };
    },
    tick: settle,
    balance(key) {
      settle();
      const a = ctx.accounts.find(key);
      if (!a) throw new Error("the EvoLink simulator knows no account for this key");
      return { remaining: a.remaining, used: a.used };
    },
    tasks() {
      settle();
      return ctx.tasks.all().map((t) => ({
        id: t.id,
        key: t.key,
        price: t.price,
        status: String(ctx.tasks.detail(t, ctx.now(), "").status),
      }));
    },
    failTask(id, code) {
      const t = ctx.tasks.get(id);
      if (t && !t.settled) t.failCode = code;
    },
    retained: () => ({
      tasks: ctx.tasks.count,
      accounts: ctx.accounts.count,
      requestRecords: requests.length,
      callbackRecords: sender.attempts.length,
      files: ctx.files.count,
      fileBytes: ctx.files.totalBytes,
    }),
    async close() {
      clearInterval(settler);
      sender.close();
      latency.cancelAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function openRoute(ctx: SimContext, path: string): Reply | undefined {
  const result = /^\/results\/([\w.-]+)$/.exec(path)?.[1];
  if (result) return routes.resultVideo(ctx, result);
  const file =
    /^\/files\/([\w-]+)\/[^/]+$/.exec(path)?.[1] ??
    /^\/api\/v1\/files\/download\/([\w-]+)$/.exec(path)?.[1];
  return file ? routes.storedFile(ctx, file) : undefined;
}

/** Latency timers are tracked so close() can end them instead of waiting them out. */
class Latency {
  private readonly timers = new Map<NodeJS.Timeout, () => void>();

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (ms <= 0) return resolve();
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.set(timer, resolve);
    });
  }

  cancelAll(): void {
    for (const [timer, resolve] of this.timers) {
      clearTimeout(timer);
      resolve();
    }
    this.timers.clear();
  }
}
