/**
 * The HTTP pipeline: settle due tasks → route → auth → rate limit → faults → handler →
 * latency → reply (or a dropped socket). Binds loopback only and prints nothing.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ApiError, errorReply, notFound, type Reply, sendReply } from "./http.js";
import { matchRoute } from "./routes.js";
import { createState } from "./state.js";
import type { Faults, RequestRecord, Simulator, SimulatorOptions } from "./types.js";
import { mulberry32 } from "./util.js";

const NO_FAULTS: Faults = { latencyMs: 0, rate429: 0, rate5xx: 0, dropAfterAccept: 0 };

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const seed = opts.seed ?? Date.now();
  // Separate streams, so switching a fault on does not change which tasks fail.
  const faultRandom = mulberry32(seed);
  const failureRandom = mulberry32(seed ^ 0x5bd1e995);
  let faults: Faults = { ...NO_FAULTS, ...opts.faults };
  const roll = (share: number) => share > 0 && faultRandom() < share;
  const requests: RequestRecord[] = [];
  const state = createState(opts, failureRandom);

  // Latency timers are tracked so close() can cancel them instead of waiting them out.
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
    const retry = { "retry-after": "1" };
    if (roll(faults.rate429)) {
      throw new ApiError(429, "rate_limited", "too many requests (simulated)", retry);
    }
    if (roll(faults.rate5xx)) {
      const message = "the public API is temporarily disabled (simulated)";
      throw new ApiError(503, "public_api_disabled", message, retry);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const record: RequestRecord = { method: req.method ?? "GET", path, status: 0, at: Date.now() };
    requests.push(record);
    state.tasks.settleDue(Date.now());
    let reply: Reply;
    let drop = false;
    try {
      const match = matchRoute(record.method, path);
      if (!match) throw notFound(`no route for ${record.method} ${path}`);
      const { route, params } = match;
      const account = route.scope
        ? state.accounts.authenticate(req.headers.authorization, route.scope)
        : undefined;
      if (account) {
        record.key = account.key;
        state.accounts.takeToken(account, Date.now());
      }
      if (route.api) checkFaults();
      reply = await route.handle({ req, params, account, state });
      drop = route.droppable === true && reply.status < 300 && roll(faults.dropAfterAccept);
    } catch (err) {
      reply = errorReply(err);
    }
    await delay(faults.latencyMs);
    if (drop) {
      req.socket.destroy();
      return;
    }
    record.status = reply.status;
    sendReply(res, reply, record.method === "HEAD");
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  state.baseUrl = `http://127.0.0.1:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url: state.baseUrl,
    requests,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const [timer, resolveDelay] of delays) {
          clearTimeout(timer);
          resolveDelay();
        }
        delays.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
    setFaults(f) {
      faults = { ...faults, ...f };
    },
    balance(key) {
      state.tasks.settleDue(Date.now());
      const account = state.accounts.find(key);
      if (!account) throw new Error("the simulator knows no account for this key");
      return account.credits;
    },
    stats() {
      const { tasks } = state;
      tasks.settleDue(Date.now());
      const { tasksCreated, creditsCharged, creditsRefunded } = tasks;
      return { tasksCreated, creditsCharged, creditsRefunded, filesUploaded: state.files.count };
    },
    tasks(key) {
      const owner = key === undefined ? undefined : state.accounts.find(key);
      if (key !== undefined && !owner) return [];
      return state.tasks.list(owner, Date.now());
    },
  };
}
