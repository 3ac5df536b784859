/**
 * The local ledger: an append-only JSON Lines file, one full entry per line, the last line
 * for a task id winning. Appends never rewrite earlier bytes, so a crash mid-write can cost
 * at most the line being written; loading skips a torn last line. When the file grows past
 * its bound it is compacted (latest state per task, oldest finished entries pruned) into a
 * temp file that atomically replaces it.
 */
import { appendFile, mkdir, open, readFile, rename } from "node:fs/promises";
import { dirname } from "node:path";
import { isTerminalStatus } from "../rivya/types.js";
import { type LedgerEntry, netCost, type Store } from "./types.js";

export interface FileStoreOptions {
  path: string;
  /** Entries kept after compaction; unfinished tasks are never pruned. */
  maxEntries?: number;
}

export class FileStore implements Store {
  private readonly entries = new Map<string, LedgerEntry>();
  private lines = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly maxEntries: number;

  private constructor(
    private readonly path: string,
    maxEntries: number,
  ) {
    this.maxEntries = maxEntries;
  }

  static async open(opts: FileStoreOptions): Promise<FileStore> {
    const store = new FileStore(opts.path, opts.maxEntries ?? 2000);
    await mkdir(dirname(opts.path), { recursive: true });
    await store.load();
    return store;
  }

  /** Number of lines that failed to parse on load (a torn write), for diagnostics. */
  skippedOnLoad = 0;

  private async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
      throw err;
    }
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      try {
        const entry = JSON.parse(line) as LedgerEntry;
        if (typeof entry.task_id === "string" && typeof entry.owner === "string")
          this.entries.set(entry.task_id, entry);
        this.lines += 1;
      } catch {
        this.skippedOnLoad += 1;
      }
    }
    // A torn tail would glue onto the next append; start clean on a fresh line.
    if (text.length && !text.endsWith("\n")) await appendFile(this.path, "\n");
  }

  /** Serialises writes so lines never interleave within this process. */
  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => {});
    return next;
  }

  put(entry: LedgerEntry): Promise<void> {
    this.entries.set(entry.task_id, entry);
    return this.enqueue(async () => {
      // Synced before the caller hears "recorded": an acknowledged task id survives even a
      // power cut, not only a crash of this process.
      const handle = await open(this.path, "a");
      try {
        await handle.write(`${JSON.stringify(entry)}\n`);
        await handle.datasync();
      } finally {
        await handle.close();
      }
      this.lines += 1;
      if (this.lines > this.compactAt()) await this.compact();
    });
  }

  /**
   * Compaction comes once the file holds maxEntries lines more than the last compaction
   * left, so even a ledger of recent (unprunable) tasks is not rewritten on every put.
   */
  private afterCompaction = 0;
  private compactAt(): number {
    return Math.max(this.afterCompaction, this.maxEntries) + this.maxEntries;
  }

  private async compact(): Promise<void> {
    const all = [...this.entries.values()].sort((a, b) => a.created_at.localeCompare(b.created_at));
    const excess = all.length - this.maxEntries;
    // Daily budgets are counted from the ledger: keep everything from the last two days.
    const keepFrom = new Date(Date.now() - 2 * 86_400_000).toISOString();
    let pruned = 0;
    for (const e of all) {
      if (pruned >= excess || e.created_at >= keepFrom) break;
      if (isTerminalStatus(e.status)) {
        this.entries.delete(e.task_id);
        pruned += 1;
      }
    }
    const body = [...this.entries.values()].map((e) => JSON.stringify(e)).join("\n");
    const temp = `${this.path}.${process.pid}.tmp`;
    const handle = await open(temp, "w");
    try {
      await handle.writeFile(body ? `${body}\n` : "");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, this.path);
    this.lines = this.entries.size;
    this.afterCompaction = this.lines;
  }

  async get(owner: string, taskId: string): Promise<LedgerEntry | undefined> {
    const entry = this.entries.get(taskId);
    return entry?.owner === owner ? entry : undefined;
  }

  async findByClientRequestId(
    owner: string,
    clientRequestId: string,
  ): Promise<LedgerEntry | undefined> {
    for (const e of this.entries.values()) {
      if (e.owner === owner && e.client_request_id === clientRequestId) return e;
    }
    return undefined;
  }

  async list(owner: string, limit: number): Promise<LedgerEntry[]> {
    return [...this.entries.values()]
      .filter((e) => e.owner === owner)
      .sort((a, b) => b.created_at.localeCompare(a.created_at))
      .slice(0, limit);
  }

  async spentSince(owner: string, since: Date): Promise<number> {
    const from = since.toISOString();
    let total = 0;
    for (const e of this.entries.values()) {
      if (e.owner === owner && e.created_at >= from) total += netCost(e);
    }
    return total;
  }

  close(): Promise<void> {
    return this.enqueue(async () => {});
  }
}
