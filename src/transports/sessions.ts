/**
 * Stateful MCP sessions, each bound to the person who opened it. The SDK never evicts an
 * abandoned session, and `res.on("close")` fires after every response, so liveness is
 * tracked here: a session with no open response for `idleMs` is closed (transport AND
 * McpServer, so neither the protocol state nor the tool registry lingers).
 */

import type { ServerResponse } from "node:http";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";

export interface Session {
  id: string;
  /** The token name that opened it; nobody else may use it. */
  owner: string;
  server: McpServer;
  transport: StreamableHTTPServerTransport;
  /** Responses still open (a running call, a listening GET stream). */
  open: number;
  lastSeen: number;
}

export interface SessionLimits {
  idleMs: number;
  max: number;
  sweepMs: number;
}

export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly limits: SessionLimits,
    private readonly onEvict: (s: Session, why: string) => void = () => {},
  ) {
    this.timer = setInterval(() => this.sweep(), limits.sweepMs);
    this.timer.unref();
  }

  get size(): number {
    return this.sessions.size;
  }

  /** The session for this id if `owner` opened it; a stranger gets the same answer as a miss. */
  get(id: string, owner: string): Session | undefined {
    const s = this.sessions.get(id);
    return s && s.owner === owner ? s : undefined;
  }

  /**
   * Makes room for one more session: at the cap the least recently used idle session goes.
   * False when every session is busy.
   */
  reserve(): boolean {
    if (this.sessions.size < this.limits.max) return true;
    let oldest: Session | undefined;
    for (const s of this.sessions.values()) {
      if (s.open === 0 && (!oldest || s.lastSeen < oldest.lastSeen)) oldest = s;
    }
    if (!oldest) return false;
    this.close(oldest, "session cap reached");
    return true;
  }

  add(session: Session): void {
    this.sessions.set(session.id, session);
  }

  /** Called when the SDK closes a transport itself (DELETE from the client). */
  forget(id: string): void {
    this.sessions.delete(id);
  }

  /** Counts a response as activity until it closes. */
  track(session: Session, res: ServerResponse): void {
    session.open += 1;
    session.lastSeen = Date.now();
    res.once("close", () => {
      session.open -= 1;
      session.lastSeen = Date.now();
    });
  }

  /** Closes every session idle for longer than idleMs as of `now`. */
  sweep(now = Date.now()): void {
    for (const s of this.sessions.values()) {
      if (s.open === 0 && now - s.lastSeen > this.limits.idleMs) this.close(s, "idle");
    }
  }

  close(s: Session, why: string): void {
    if (!this.sessions.delete(s.id)) return;
    this.onEvict(s, why);
    // Closing the server closes its transport too; closing both is harmless and explicit.
    void s.transport.close().catch(() => {});
    void s.server.close().catch(() => {});
  }

  closeAll(why: string): void {
    clearInterval(this.timer);
    for (const s of [...this.sessions.values()]) this.close(s, why);
  }
}
