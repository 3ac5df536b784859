/**
 * stdio: one connection per process; stdout carries only the protocol, logs go to stderr.
 * The SDK's serveStdio reads the opening message and pins the connection to its protocol
 * generation (a 2025 initialize, or a 2026 request), building the server once for it.
 * The opening may already have been answered while this module loaded (early-answers.ts).
 */
import { StdioServerTransport, serveStdio } from "@modelcontextprotocol/server/stdio";
import type { ServerDeps } from "../generation/context.js";
import { Lifecycle } from "../lifecycle.js";
import { sharedRequestStateKey } from "../mcp/confirmation.js";
import { createServer } from "../mcp/server.js";
import type { EarlyStdio } from "./early-answers.js";

/** How long a closing client's running calls (a create above all) get to finish. */
const SHUTDOWN_GRACE_MS = 10_000;

export async function runStdio(deps: ServerDeps, early: EarlyStdio): Promise<void> {
  const lifecycle = new Lifecycle();
  const callDeps = { ...deps, lifecycle };
  const requestStateKey = sharedRequestStateKey(deps.store);
  // The SDK's transport aborts running calls, unanswered, when stdin ends. A create then in
  // flight must finish, be recorded and be answered (the client may still read stdout), so
  // the transport reads early.input, a copy of stdin that never ends; shutdown below exits.
  const transport = new StdioServerTransport(early.input, process.stdout);
  // What was answered before the SDK loaded is not answered twice.
  const answered = early.handOver();
  deps.log.debug("answered before the SDK loaded", { requests: answered.answeredCount });
  const send = transport.send.bind(transport);
  transport.send = (message) => (answered.drop(message) ? Promise.resolve() : send(message));
  const connection = serveStdio(() => createServer(callDeps, undefined, { requestStateKey }), {
    transport,
    onerror: (err) => deps.log.warn("protocol error", { error: err.message }),
  });
  let stopping = false;
  const shutdown = async (why: string) => {
    if (stopping) return;
    stopping = true;
    // Waits end at once; a create in flight finishes and is recorded before the exit.
    const left = await lifecycle.stop(SHUTDOWN_GRACE_MS);
    if (left > 0) deps.log.warn("exiting with calls still running", { count: left, why });
    await deps.store.close().catch(() => {});
    await connection.close().catch(() => {});
    await deps.providers.close();
    process.exit(0);
  };
  // The client closing our stdin is how desktop assistants end a stdio server.
  if (process.stdin.readableEnded) void shutdown("stdin closed");
  else process.stdin.on("end", () => void shutdown("stdin closed"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  deps.log.info("rivya-mcp ready on stdio");
}
