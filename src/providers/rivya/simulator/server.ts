/**
 * The HTTP pipeline: settle due tasks → route → auth → rate limit → faults → handler →
 * latency → save (with a state folder) → reply (or a dropped socket). Binds loopback only
 * and prints nothing.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ApiError, notFound, type Reply, sendReply } from "../../../simulator-kit/http.js";
import { mulberry32 } from "../../../simulator-kit/util.js";
import { SimDisk } from "./disk.js";
import { errorReply } from "./http.js";
import { matchRoute } from "./routes.js";
import { createState, limitsOf, restoreState, snapshotOf } from "./state.js";
import type { Faults, RequestRecord, Simulator, SimulatorOptions } from "./types.js";

const NO_FAULTS: Faults = { latencyMs: 0, rate429: 0, rate5xx: 0, dropAfterAccept: 0 };

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const seed = opts.seed ?? Date.now();
  // Separate streams, so switching a fault on does not change which tasks fail.
  const faultRandom = mulberry32(seed);
  const failureRandom = mulberry32(seed ^ 0x5bd1e995);
  let faults: Faults = { ...NO_FAULTS, ...opts.faults };
  const roll = (share: number) => share > 0 && faultRandom() < share;
  const requests: RequestRecord[] = [];
  const limits = limitsOf(opts);
  const { disk, saved, state } = await openState(opts, failureRandom);
  let port = 0;
  // Without a state folder nothing is written: the in-memory default pays nothing for this.
  const persist = disk && (() => disk.save(() => snapshotOf(state, port)));

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
    // Kept in place (callers hold this array), oldest dropped past the cap.
    if (requests.length > limits.requestRecords) requests.shift();
    state.tasks.settleDue(record.at);
    state.idempotency.expire(record.at);
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
      if (route.saves && reply.status < 300) await persist?.();
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
  const wanted = opts.port ?? saved?.port ?? 0;
  port = await listenLoopback(server, wanted, opts.port === undefined).catch(async (err) => {
    await disk?.close();
    throw err;
  });
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
      }).then(() => disk?.close());
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
      return { ...tasks.totals, filesUploaded: state.files.count };
    },
    retained() {
      const { accounts, tasks, idempotency, files } = state;
      return {
        accounts: accounts.count,
        requestRecords: requests.length,
        idempotencyKeys: idempotency.count,
        tasks: tasks.count,
        finishedTasks: tasks.finishedCount,
        files: files.count,
        fileBytes: files.totalBytes,
      };
    },
    tasks(key) {
      const owner = key === undefined ? undefined : state.accounts.find(key);
      if (key !== undefined && !owner) return [];
      return state.tasks.list(owner, Date.now());
    },
  };
}

/** The state, restored from `opts.stateDir` when there is one (whose lock is let go on failure). */
async function openState(opts: SimulatorOptions, failureRandom: () => number) {
  const disk = opts.stateDir === undefined ? undefined : await SimDisk.open(opts.stateDir);
  try {
    const saved = await disk?.readSnapshot();
    const state = createState(opts, failureRandom, disk);
    if (saved) await restoreState(state, saved);
    return { disk, saved, state };
  } catch (err) {
    await disk?.close();
    throw err;
  }
}

/**
 * Listens on 127.0.0.1:`port`. A port remembered from before a restart is only a wish:
 * when it is taken, any free port will do (URLs are made from the new base URL on read).
 */
async function listenLoopback(server: Server, port: number, fallback: boolean): Promise<number> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (err) {
    if (!fallback || port === 0 || (err as NodeJS.ErrnoException).code !== "EADDRINUSE") throw err;
    return listenLoopback(server, 0, false);
  }
  return (server.address() as AddressInfo).port;
}
