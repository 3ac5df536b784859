/**
 * Stateful MCP sessions, each bound to the person who opened it. The SDK never evicts an
 * abandoned session, and `res.on("close")` fires after every response, so liveness is
 * tracked here: a session with no open response for `idleMs` is closed (transport AND
 * McpServer, so neither the protocol state nor the tool registry lingers).
 */

import type { ServerResponse } from "node:http";
import type { NodeStreamableHTTPServerTransport } from "@modelcontextprotocol/node";
import type { McpServer } from "@modelcontextprotocol/server";

export interface Session {
  id: string;
  /** The token name that opened it; nobody else may use it. */
  owner: string;
  server: McpServer;
  transport: NodeStreamableHTTPServerTransport;
  /** Responses still open (a running call, a listening GET stream). */
  open: number;
  lastSeen: number;
}

export interface SessionLimits {
  idleMs: number;
  max: number;
  /** Open sessions one person may hold; at the cap their own idle sessions make room. */
  perPerson: number;
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
   * Makes room for one more session of `owner`. A person at their own cap makes room only
   * from their own idle sessions, so nobody else is touched; at the server's cap the
   * person's own least recently used idle session goes first, else that of whoever holds
   * the most sessions. False when there is nothing idle to let go.
   */
  reserve(owner: string): boolean {
    const mine = this.ownedBy(owner);
    if (mine.length >= this.limits.perPerson) return this.evictIdle(mine, "person's session cap");
    if (this.sessions.size < this.limits.max) return true;
    if (mine.some(isIdle)) return this.evictIdle(mine, "session cap reached");
    return this.evictIdle(this.ofHeaviestIdleOwner(), "session cap reached");
  }

  private ownedBy(owner: string): Session[] {
    return [...this.sessions.values()].filter((s) => s.owner === owner);
  }

  /** The sessions of the person with the most sessions among those with an idle one. */
  private ofHeaviestIdleOwner(): Session[] {
    const byOwner = new Map<string, Session[]>();
    for (const s of this.sessions.values())
      byOwner.set(s.owner, [...(byOwner.get(s.owner) ?? []), s]);
    let heaviest: Session[] = [];
    for (const list of byOwner.values())
      if (list.some(isIdle) && list.length > heaviest.length) heaviest = list;
    return heaviest;
  }

  /** Closes the least recently used idle session among `candidates`; false if none is idle. */
  private evictIdle(candidates: Session[], why: string): boolean {
    let oldest: Session | undefined;
    for (const s of candidates)
      if (isIdle(s) && (!oldest || s.lastSeen < oldest.lastSeen)) oldest = s;
    if (!oldest) return false;
    this.close(oldest, why);
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
      if (isIdle(s) && now - s.lastSeen > this.limits.idleMs) this.close(s, "idle");
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

/** No response open: neither a running call nor a listening stream. */
const isIdle = (s: Session) => s.open === 0;
