/**
 * The EvoLink simulator's HTTP pipeline: settle due tasks → route → auth → faults → handler →
 * latency → reply (or a dropped socket). Binds 127.0.0.1 only and prints nothing.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ApiError } from "../../../simulator/http.js";
import { mulberry32 } from "../../../simulator/util.js";
import { ModelBuckets, SimAccounts } from "./accounts.js";
import { CallbackSender } from "./callbacks.js";
import { FilesError, SimFiles } from "./files.js";
import * as routes from "./routes.js";
import { SimTasks } from "./tasks.js";
import type {
  EvolinkFaults,
  EvolinkRequestRecord,
  EvolinkSimulator,
  EvolinkSimulatorLimits,
  EvolinkSimulatorOptions,
} from "./types.js";
import { SimRequestError } from "./validate.js";

const NO_FAULTS: EvolinkFaults = { latencyMs: 0, rate5xx: 0, rate429: 0, dropAfterAccept: 0 };

const DEFAULT_LIMITS: EvolinkSimulatorLimits = {
  tasks: 10_000,
  accounts: 10_000,
  requestRecords: 10_000,
  callbackRecords: 10_000,
  files: 1_000,
  fileBytes: 128 * 1024 * 1024,
};

/** Prompt markers, as in the Rivya simulator: a test picks how its task ends. */
const MARKERS: [string, string][] = [
  ["[sim:fail]", "generation_failed_no_content"],
  ["[sim:reject]", "content_policy_violation"],
];

export async function startEvolinkSimulator(
  opts: EvolinkSimulatorOptions = {},
): Promise<EvolinkSimulator> {
  const now = opts.now ?? Date.now;
  const seed = opts.seed ?? Date.now();
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
  const tasks: SimTasks = new SimTasks(
    { pendingMs: opts.pendingMs ?? 2000, processingMs: opts.processingMs ?? 4000 },
    limits.tasks,
    (task) => {
      if (task.failCode) refund(task.key, task.price);
      if (task.callbackUrl)
        sender.send(
          task.id,
          task.callbackUrl,
          tasks.detail(task, now(), routes.resultUrl(ctx, task)),
        );
    },
  );
  const accounts = new SimAccounts(
    opts.accounts ?? [],
    opts.startingCredits ?? 1000,
    limits.accounts,
  );
  const refund = (key: string, price: number) => {
    const a = accounts.find(key);
    if (!a) return;
    a.remaining = Math.round((a.remaining + price) * 10_000) / 10_000;
    a.used = Math.round((a.used - price) * 10_000) / 10_000;
  };
  const perMinute = opts.rateLimitPerMinute === undefined ? 50 : opts.rateLimitPerMinute;
  const ctx: routes.SimContext = {
    now,
    baseUrl: () => baseUrl,
    accounts,
    anyKey: opts.acceptAnyKey ?? opts.accounts === undefined,
    tasks,
    files: new SimFiles(
      {
        maxFileBytes: opts.maxFileBytes ?? 10 * 1024 * 1024,
        maxFiles: Math.min(opts.maxFiles ?? 2000, limits.files),
        maxTotalBytes: limits.fileBytes,
      },
      () => baseUrl,
    ),
    buckets: perMinute === null ? undefined : new ModelBuckets(perMinute),
    retryAfter:
      opts.retryAfterSeconds === undefined ? {} : { "retry-after": String(opts.retryAfterSeconds) },
    validate: {
      allowLoopbackCallbacks: opts.allowLoopbackCallbacks === true,
      strict: opts.strict === true,
    },
    multiplier4k: opts.multiplier4k,
    failCodeFor(prompt) {
      const marked = MARKERS.find(([m]) => prompt.includes(m));
      if (marked) return marked[1];
      const rate = opts.failureRate ?? 0;
      return rate > 0 && failureRandom() < rate
        ? (opts.failureCode ?? "generation_failed_no_content")
        : undefined;
    },
  };

  const delays = new Map<NodeJS.Timeout, () => void>();
  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0) return resolve();
      const timer = setTimeout(() => {
        delays.delete(timer);
        resolve();
      }, ms);
      delays.set(timer, resolve);
    });

  function checkFaults(): void {
    if (roll(faults.rate429)) {
      throw new SimRequestError(
        429,
        "rate_limit_exceeded",
        "rate_limit_error",
        "Rate limit exceeded (simulated)",
        undefined,
        ctx.retryAfter,
      );
    }
    if (roll(faults.rate5xx))
      throw new SimRequestError(500, "internal_error", "api_error", "Internal error (simulated)");
  }

  async function dispatch(
    req: IncomingMessage,
    method: string,
    path: string,
  ): Promise<routes.Reply> {
    const results = /^\/results\/([\w.-]+)$/.exec(path);
    if (method === "GET" && results?.[1]) return routes.resultVideo(ctx, results[1]);
    const file =
      /^\/files\/([\w-]+)\/[^/]+$/.exec(path) ??
      /^\/api\/v1\/files\/download\/([\w-]+)$/.exec(path);
    if (method === "GET" && file?.[1]) return routes.storedFile(ctx, file[1]);
    const account = accounts.authenticate(req.headers.authorization, ctx.anyKey);
    checkFaults();
    const task = /^\/v1\/tasks\/([^/]+)$/.exec(path);
    const uploadKind = /^\/api\/v1\/files\/upload\/(base64|stream|url)$/.exec(path)?.[1];
    if (method === "POST" && path === "/v1/videos/generations")
      return routes.createTask(ctx, req, account);
    if (method === "GET" && task?.[1])
      return routes.getTask(ctx, decodeURIComponent(task[1]), account);
    if (method === "GET" && path === "/v1/credits") return routes.credits(account);
    if (method === "POST" && uploadKind)
      return filesReply(() => routes.upload(ctx, uploadKind, req));
    if (method === "GET" && path === "/api/v1/files/quota") {
      return { status: 200, body: { success: true, code: 200, data: ctx.files.quota() } };
    }
    throw new SimRequestError(
      404,
      "not_found",
      "invalid_request_error",
      `no route for ${method} ${path}`,
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const record: EvolinkRequestRecord = { method, path, status: 0 };
    requests.push(record);
    if (requests.length > limits.requestRecords) requests.shift();
    tasks.settleDue(now());
    let reply: routes.Reply;
    try {
      reply = await dispatch(req, method, path);
    } catch (err) {
      reply = errorReply(err);
    }
    await delay(faults.latencyMs);
    if (reply.droppable && reply.status < 300 && roll(faults.dropAfterAccept)) {
      record.dropped = true;
      req.socket.destroy();
      return;
    }
    record.status = reply.status;
    send(res, reply);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  const port = await listen(server, opts.port ?? 0);
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: baseUrl,
    requests,
    callbacks: sender.attempts,
    setFaults(f) {
      faults = { ...faults, ...f };
    },
    tick: () => tasks.settleDue(now()),
    balance(key) {
      tasks.settleDue(now());
      const a = accounts.find(key);
      if (!a) throw new Error("the EvoLink simulator knows no account for this key");
      return { remaining: a.remaining, used: a.used };
    },
    tasks() {
      tasks.settleDue(now());
      return tasks.all().map((t) => ({
        id: t.id,
        key: t.key,
        price: t.price,
        status: String(tasks.detail(t, now(), "").status),
      }));
    },
    failTask(id, code) {
      const t = tasks.get(id);
      if (t && !t.settled) t.failCode = code;
    },
    retained: () => ({
      tasks: tasks.count,
      accounts: accounts.count,
      requestRecords: requests.length,
      files: ctx.files.count,
    }),
    async close() {
      sender.close();
      for (const [timer, resolve] of delays) {
        clearTimeout(timer);
        resolve();
      }
      delays.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** Files API errors keep their own shape: `{success:false, code, msg}` with HTTP 400. */
async function filesReply(run: () => Promise<routes.Reply>): Promise<routes.Reply> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof SimRequestError) throw err;
    const e =
      err instanceof FilesError
        ? err
        : new FilesError(40000, err instanceof ApiError ? err.message : "upload failed");
    return { status: 400, body: { success: false, code: e.code, msg: e.message } };
  }
}

function errorReply(err: unknown): routes.Reply {
  const e =
    err instanceof SimRequestError
      ? err
      : new SimRequestError(
          500,
          "internal_error",
          "api_error",
          "The simulator hit an unexpected error",
        );
  const error = {
    code: e.code,
    message: e.message,
    type: e.type,
    ...(e.param ? { param: e.param } : {}),
  };
  return { status: e.status, headers: e.headers, body: { error } };
}

function send(res: ServerResponse, reply: routes.Reply): void {
  if (res.destroyed || res.writableEnded) return;
  const bytes = reply.raw
    ? reply.raw.bytes
    : Buffer.from(reply.body === undefined ? "" : JSON.stringify(reply.body));
  res.writeHead(reply.status, {
    "content-type": reply.raw?.contentType ?? "application/json; charset=utf-8",
    "content-length": String(bytes.byteLength),
    ...reply.headers,
  });
  res.end(bytes);
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
