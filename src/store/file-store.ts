/**
 * The local ledger: an append-only JSON Lines file (ledger-lines.ts), the last line for an id
 * winning, indexed in memory (ledger-index.ts). Appends never rewrite earlier bytes and are
 * synced before they resolve, so a crash costs at most the line being written.
 *
 * Opening does not read the file: loading starts in the background, in slices, so the
 * server answers `initialize` at once and the first call finds the ledger (nearly) loaded.
 * Every call first reads what was appended since its last look (by any process sharing the
 * folder), so the answer is current; writes and compaction hold a cross-process lock.
 */
import { chmod, mkdir, open, rename } from "node:fs/promises";
import { dirname } from "node:path";
import { compactedText } from "./compaction.js";
import { loadLockLibrary, withFileLock } from "./file-lock.js";
import { FILE_MODE, LedgerFile } from "./ledger-file.js";
import { LedgerIndex } from "./ledger-index.js";
import { encodeEntry, encodePrice, encodeTombstone, parseLine } from "./ledger-lines.js";
import { type LedgerEntry, type SpendCheck, type Store, startOfUtcDay } from "./types.js";

export interface FileStoreOptions {
  path: string;
  /** Entries kept after compaction; unfinished and recent ones are never pruned. */
  maxEntries?: number;
}

export class FileStore implements Store {
  private index = new LedgerIndex();
  private readonly file: LedgerFile;
  private readonly maxEntries: number;
  /** Lines in the file now, and how many the last compaction left. */
  private lines = 0;
  private linesAfterCompaction = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private compacting: Promise<void> | undefined;
  private closed = false;
  /** Lines that could not be parsed (torn or foreign), for diagnostics and tests. */
  skippedLines = 0;

  private constructor(path: string, maxEntries: number) {
    this.file = new LedgerFile(path);
    this.maxEntries = maxEntries;
  }

  static async open(opts: FileStoreOptions): Promise<FileStore> {
    // The ledger names every task and prompt: only its owner may read it.
    await mkdir(dirname(opts.path), { recursive: true, mode: 0o700 });
    await tightenMode(opts.path);
    const store = new FileStore(opts.path, opts.maxEntries ?? 2000);
    store.serially(() => store.load()).catch(() => {});
    return store;
  }

  openIntent(entry: LedgerEntry, check?: SpendCheck): Promise<void> {
    return this.write(async () => {
      check?.(this.index.spentSince(entry.owner, startOfUtcDay(new Date())));
      await this.append(encodeEntry(entry));
      this.index.upsert(entry);
    });
  }

  put(entry: LedgerEntry): Promise<void> {
    return this.write(async () => {
      await this.append(encodeEntry(entry));
      this.index.upsert(entry);
    });
  }

  remove(owner: string, id: string): Promise<void> {
    return this.write(async () => {
      if (this.index.get(owner, id)?.id !== id) return;
      await this.append(encodeTombstone(owner, id));
      this.index.delete(id);
    });
  }

  learnPrice(key: string, credits: number): Promise<void> {
    return this.write(async () => {
      if ((this.index.learnedPrice(key) ?? Number.NEGATIVE_INFINITY) >= credits) return;
      await this.append(encodePrice(key, credits));
      this.index.raisePrice(key, credits);
    });
  }

  get(owner: string, idOrTaskId: string): Promise<LedgerEntry | undefined> {
    return this.read(() => this.index.get(owner, idOrTaskId));
  }

  findByClientRequestId(owner: string, clientRequestId: string) {
    return this.read(() => this.index.findByClientRequestId(owner, clientRequestId));
  }

  list(owner: string, limit: number): Promise<LedgerEntry[]> {
    return this.read(() => this.index.list(owner, limit));
  }

  spentSince(owner: string, since: Date): Promise<number> {
    return this.read(() => this.index.spentSince(owner, since));
  }

  learnedPrice(key: string): Promise<number | undefined> {
    return this.read(() => this.index.learnedPrice(key));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.compacting;
    await this.queue;
    await this.file.close();
  }

  /** Runs `work` after everything queued before it, one at a time within this process. */
  private serially<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error("the ledger is closed"));
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => {});
    return next;
  }

  private read<T>(answer: () => T): Promise<T> {
    return this.serially(async () => {
      await this.catchUp();
      return answer();
    });
  }

  /** Under the cross-process lock, after reading what every other process appended. */
  private write(work: () => Promise<void>): Promise<void> {
    return this.serially(() =>
      withFileLock(this.file.path, async () => {
        await this.catchUp();
        await work();
        this.compactSoon();
      }),
    );
  }

  /** The first read: a ledger that is already large is not compacted as soon as it grows. */
  private async load(): Promise<void> {
    await this.catchUp();
    this.linesAfterCompaction = this.lines;
    await loadLockLibrary();
  }

  private async catchUp(): Promise<void> {
    await this.file.readNew(
      (text) => {
        this.lines += 1;
        const line = parseLine(text);
        if (line) this.index.apply(line);
        else this.skippedLines += 1;
      },
      () => {
        this.index = new LedgerIndex();
        this.lines = 0;
        this.linesAfterCompaction = 0;
      },
    );
  }

  private async append(text: string): Promise<void> {
    const { tornTail } = await this.file.append(text);
    this.lines += 1;
    if (tornTail) this.skippedLines += 1;
  }

  /**
   * Compaction runs once the file holds maxEntries lines more than it did after the last one
   * (or when first read), off the caller's path: the write that crosses the line has
   * already resolved.
   */
  private compactSoon(): void {
    const due = Math.max(this.linesAfterCompaction, this.maxEntries) + this.maxEntries;
    if (this.lines <= due || this.compacting) return;
    if (this.closed) return;
    this.compacting = this.serially(() => withFileLock(this.file.path, () => this.compact()))
      .catch(() => {})
      .finally(() => {
        this.compacting = undefined;
      });
  }

  private async compact(): Promise<void> {
    await this.catchUp();
    const { text, lines, dropped } = compactedText(
      this.index.entries(),
      this.index.priceList(),
      this.maxEntries,
    );
    const temp = `${this.file.path}.${process.pid}.tmp`;
    const handle = await open(temp, "w", FILE_MODE);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, this.file.path);
    await this.file.adopt();
    for (const entry of dropped) this.index.delete(entry.id);
    this.lines = lines;
    this.linesAfterCompaction = this.lines;
  }
}

/** A ledger written by an older version may be world-readable: make it the owner's alone. */
async function tightenMode(path: string): Promise<void> {
  try {
    await chmod(path, FILE_MODE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}
