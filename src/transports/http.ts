/**
 * Hosted mode: Streamable HTTP at /mcp for a team. `startHttpServer` wires the pieces
 * (people, guards, sessions, one shared store) and is what tests drive in-process;
 * `runHttp` adds what only a real process needs: the "listening on" line and SIGTERM.
 */
import { createServer as createHttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { ServerConfig } from "../config.js";
import type { Logger } from "../log.js";
import { sharedRequestStateKey } from "../mcp/confirmation.js";
import type { AnyTool } from "../mcp/server.js";
import type { Providers } from "../providers/registry.js";
import type { Provider } from "../providers/types.js";
import { openStore, type StoreChoice, storeHealth } from "../store/index.js";
import type { Store } from "../store/types.js";
import { originPolicy, RateLimiter } from "./guards.js";
import { createHandler, type HandlerState } from "./http-handler.js";
import { statefulDispatch, statelessDispatch } from "./http-mcp.js";
import { assertSafeBind, type HttpOptions, rateFor } from "./http-options.js";
import { People, type Team } from "./people.js";
import { SessionRegistry } from "./sessions.js";

export interface HttpDeps {
  /** The server's own providers (RIVYA_API_KEY, or the simulator with --demo). */
  providers: Providers;
  /** Connects one provider with a person's own key from the tokens file. */
  connect: (providerId: string, apiKey: string) => Provider;
  config: ServerConfig;
  log: Logger;
  /** One store per process, shared by every session and person. */
  store: Store;
  /** Required unless bound to loopback. */
  tokens: Team | undefined;
  /** Default: the shipped tools (tests serve extra providers' models). */
  tools?: readonly AnyTool[];
}

export interface HttpServerHandle {
  url: string;
  port: number;
  /** Open stateful sessions (0 in stateless mode). */
  sessionCount(): number;
  /**
   * Stops accepting, waits up to the grace period for running calls (and the creates and
   * ledger writes of calls whose client went away), closes the sessions, flushes the store
   * and closes the personal providers. The caller closes the server's own providers.
   */
  shutdown(): Promise<void>;
  /** Closes the sessions idle for longer than the idle timeout as of `now` (the timer's job). */
  sweep(now: number): void;
}

export async function startHttpServer(
  deps: HttpDeps,
  opts: HttpOptions,
): Promise<HttpServerHandle> {
  assertSafeBind(opts.host, deps.tokens !== undefined);
  const config: ServerConfig = {
    ...deps.config,
    transport: "http",
    ...(opts.publicUrl ? { publicUrl: opts.publicUrl } : {}),
  };
  const people = new People({ ...deps, config });
  const log = deps.log;
  const sessions = opts.stateless
    ? undefined
    : new SessionRegistry(
        {
          idleMs: opts.sessionIdleMs,
          max: opts.maxSessions,
          // The open local user is the only person there is: the server's cap is theirs.
          perPerson: people.open ? opts.maxSessions : opts.maxSessionsPerPerson,
          sweepMs: opts.sweepMs,
        },
        (s, why) => log.debug("session closed", { person: s.owner, why }),
      );
  const state: HandlerState = { draining: false, inflight: 0 };
  const rate = rateFor(opts, people.open);
  const policy = originPolicy(opts.host, opts.allowedHosts, opts.allowedOrigins);
  if (!policy.hosts)
    log.warn(
      "any Host header is accepted on a wildcard bind; name the public host with --allowed-host",
    );
  const mcpOptions = { requestStateKey: sharedRequestStateKey(deps.store) };
  const mcp = sessions ? statefulDispatch(sessions, mcpOptions) : statelessDispatch(mcpOptions);
  const handler = createHandler({
    opts,
    people,
    policy,
    limiter: new RateLimiter(rate.perSecond, rate.burst),
    mcp,
    log,
    state,
    storeHealth: storeHealth(deps.store),
    store: deps.store,
  });
  const http = createHttpServer(handler);
  // A slow upload may take a while, but nobody gets to hold a half-sent request forever.
  http.requestTimeout = 120_000;
  http.headersTimeout = 30_000;
  // Longer than common proxy idle timeouts (60 s), so the proxy closes first, never us mid-reuse.
  http.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(opts.port, opts.host, () => {
      http.off("error", reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  const shownHost = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
  log.info("http server ready", {
    mode: opts.stateless ? "stateless" : "stateful",
    people: people.open ? "local (no tokens file)" : people.count,
  });

  let stopping: Promise<void> | undefined;
  // The order matters: stop taking calls, let running ones (creates above all) finish and
  // be recorded, close the sessions, flush the store, and only then close the clients.
  const shutdown = () => {
    stopping ??= (async () => {
      state.draining = true;
      http.close();
      http.closeIdleConnections();
      const started = Date.now();
      // Waits end at once and answer with their task ids; creates get the grace period.
      const calls = await people.lifecycle.stop(opts.shutdownGraceMs);
      const deadline = started + opts.shutdownGraceMs;
      while (state.inflight > 0 && Date.now() < deadline) await sleep(50);
      const waited = { waited_ms: Date.now() - started };
      if (calls === 0 && state.inflight === 0) log.info("running calls finished", waited);
      else
        log.warn("closing calls still running at shutdown", {
          ...waited,
          responses: state.inflight,
          tool_calls: calls,
        });
      sessions?.closeAll("shutdown");
      await mcp.close();
      http.closeAllConnections();
      await deps.store.close();
      await people.close();
    })();
    return stopping;
  };
  return {
    url: `http://${shownHost}:${port}/mcp`,
    port,
    sessionCount: () => sessions?.size ?? 0,
    shutdown,
    sweep: (now) => sessions?.sweep(now),
  };
}

export interface RunHttpOptions extends Omit<HttpDeps, "store"> {
  http: HttpOptions;
  /** The file ledger, or PostgreSQL shared by replicas (store/index.ts chooses). */
  store: StoreChoice;
}

/** The CLI's entry: one store per process, and a clean exit on SIGTERM/SIGINT. */
export async function runHttp(opts: RunHttpOptions): Promise<void> {
  const store = await openStore(opts.store);
  const server = await startHttpServer({ ...opts, store }, opts.http);
  process.stderr.write(`listening on ${server.url}\n`);
  let signalled = false;
  const stop = async (signal: string) => {
    // A second signal means "now": the operator has stopped waiting for the drain.
    if (signalled) process.exit(1);
    signalled = true;
    opts.log.info("shutting down", { signal });
    try {
      // Flushes the ledger after the drain: calls finishing in the grace period write to it.
      await server.shutdown();
      await opts.providers.close();
      process.exit(0);
    } catch (err) {
      opts.log.error("shutdown failed", {
        error: err instanceof Error ? err.message : String(err),
      });
      process.exit(1);
    }
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}
