/**
 * The local ledger: an append-only JSON Lines file (ledger-lines.ts), the last line for an id
 * winning, indexed in memory (ledger-index.ts). Appends never rewrite earlier bytes and are
 * synced before they resolve, so a crash costs at most the line being written.
 *
 * Opening does not read the file: loading starts after a second without calls (or when a
 * call needs the index), in slices, so the server answers `initialize` at once. Until it is done, what a
 * generation asks first (a client_request_id, today's spend, a learned price) is answered
 * from the bytes (raw-ledger.ts) and writes are appended without waiting; the load reads
 * them back like any other line. Every call first reads what was appended since its last look (by any
 * process sharing the folder), so the answer is current; writes and compaction hold a
 * cross-process lock.
 */
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { compactedText } from "./compaction.js";
import { loadLockLibrary, withFileLock } from "./file-lock.js";
import { appendSynced, LedgerFile, replaceFile, tightenMode } from "./ledger-file.js";
import { LedgerIndex } from "./ledger-index.js";
import { encodeLine, type LedgerLine, parseLine, tombstone, uploadLine } from "./ledger-lines.js";
import { mergeForPut } from "./merge.js";
import { RawLedger } from "./raw-ledger.js";
import { secretFile } from "./secret-file.js";
import {
  DuplicateRequestError,
  type LedgerEntry,
  SecretCache,
  type SpendCheck,
  type Store,
  startOfUtcDay,
  type UploadRecord,
} from "./types.js";

/** The full load starts after this long without a call, unless a call needs it sooner. */
const LOAD_DELAY_MS = 1000;
/** ... or after this many writes made before it. */
const RAW_WRITES_BEFORE_LOAD = 16;

export interface FileStoreOptions {
  path: string;
  /** Entries kept after compaction; unfinished and recent ones are never pruned. */
  maxEntries?: number;
}

/** What a write decides from: the loaded index, or the bytes while loading. */
interface LedgerView {
  findByClientRequestId(owner: string, clientRequestId: string): LedgerEntry | undefined;
  spentSince(owner: string, since: Date): number | undefined;
  learnedPrice(key: string): number | undefined;
  uploadOwner(url: string): string | undefined;
}

export class FileStore implements Store {
  private index = new LedgerIndex();
  private readonly file: LedgerFile;
  /** Present until the load completes. */
  private raw: RawLedger | undefined;
  private loading: Promise<void> | undefined;
  private loadTimer: NodeJS.Timeout | undefined;
  private rawWrites = 0;
  private readonly maxEntries: number;
  /** Lines in the file now, and how many the last compaction (or the load) left. */
  private lines = 0;
  private linesAfterCompaction = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private compacting: Promise<void> | undefined;
  private closed = false;
  /** Each secret read (or made) once per instance: it never changes afterwards. */
  private readonly secrets = new SecretCache();
  /** Lines that could not be parsed (torn or foreign), for diagnostics and tests. */
  skippedLines = 0;

  private constructor(path: string, maxEntries: number) {
    this.file = new LedgerFile(path);
    this.raw = new RawLedger(path);
    this.maxEntries = maxEntries;
  }

  static async open(opts: FileStoreOptions): Promise<FileStore> {
    // The ledger names every task and prompt: only its owner may read it.
    await mkdir(dirname(opts.path), { recursive: true, mode: 0o700 });
    await tightenMode(opts.path);
    const store = new FileStore(opts.path, opts.maxEntries ?? 2000);
    store.loadWhenIdle();
    return store;
  }

  openIntent(entry: LedgerEntry, check?: SpendCheck): Promise<void> {
    return this.write((view) => {
      const existing = view.findByClientRequestId(entry.owner, entry.client_request_id);
      if (existing && existing.id !== entry.id) throw new DuplicateRequestError(existing);
      check?.(view.spentSince(entry.owner, startOfUtcDay(new Date())) ?? 0);
      return { kind: "entry", entry };
    });
  }

  put(entry: LedgerEntry): Promise<void> {
    return this.write((view) => {
      const stored = view.findByClientRequestId(entry.owner, entry.client_request_id);
      return { kind: "entry", entry: mergeForPut(stored, entry) };
    });
  }

  remove(owner: string, id: string): Promise<void> {
    // The index applies a tombstone only to its owner's entry.
    return this.write(() => tombstone(owner, id));
  }

  learnPrice(key: string, credits: number): Promise<void> {
    return this.write((view) =>
      (view.learnedPrice(key) ?? Number.NEGATIVE_INFINITY) >= credits
        ? undefined
        : { kind: "price", key, credits },
    );
  }

  recordUpload(upload: UploadRecord): Promise<void> {
    return this.write((view) =>
      view.uploadOwner(upload.url) === undefined ? uploadLine(upload) : undefined,
    );
  }

  uploadOwner(url: string): Promise<string | undefined> {
    return this.read(
      (index) => index.uploadOwner(url),
      (raw) => [raw.uploadOwner(url)],
    );
  }

  /**
   * A file of its own beside the ledger (`<name>.secret`), not a ledger line: compaction
   * rewrites the ledger, and a secret must never be copied around or shown by jq.
   */
  sharedSecret(name: string): Promise<Buffer> {
    if (this.closed) return Promise.reject(new Error("the ledger is closed"));
    return this.secrets.get(name, () =>
      secretFile(join(dirname(this.file.path), `${name}.secret`)),
    );
  }

  entry(id: string): Promise<LedgerEntry | undefined> {
    return this.read((index) => index.byLedgerId(id));
  }

  get(owner: string, idOrTaskId: string): Promise<LedgerEntry | undefined> {
    return this.read((index) => index.get(owner, idOrTaskId));
  }

  findByClientRequestId(owner: string, clientRequestId: string) {
    return this.read(
      (index) => index.findByClientRequestId(owner, clientRequestId),
      (raw) => [raw.findByClientRequestId(owner, clientRequestId)],
    );
  }

  list(owner: string, limit: number): Promise<LedgerEntry[]> {
    return this.read((index) => index.list(owner, limit));
  }

  spentSince(owner: string, since: Date): Promise<number> {
    return this.read(
      (index) => index.spentSince(owner, since),
      (raw) => {
        const spent = raw.spentSince(owner, since);
        return spent === undefined ? undefined : [spent];
      },
    );
  }

  learnedPrice(key: string): Promise<number | undefined> {
    return this.read(
      (index) => index.learnedPrice(key),
      (raw) => [raw.learnedPrice(key)],
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.compacting;
    await this.queue;
    clearTimeout(this.loadTimer);
    await this.loading?.catch(() => {});
    await this.file.close();
  }

  /** Runs `work` after everything queued before it, one at a time within this process. */
  private serially<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error("the ledger is closed"));
    this.loadWhenIdle();
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => {});
    return next;
  }

  /** From the bytes while loading when `fromBytes` can tell ([answer]), else from the index. */
  private read<T>(
    fromIndex: (index: LedgerIndex) => T,
    fromBytes?: (raw: RawLedger) => [T] | undefined,
  ): Promise<T> {
    return this.serially(async () => {
      const raw = this.raw;
      if (raw && fromBytes) {
        await raw.refresh();
        const early = fromBytes(raw);
        if (early) return early[0];
      }
      await this.startLoading();
      await this.catchUp();
      return fromIndex(this.index);
    });
  }

  /**
   * Under the cross-process lock, after reading what every other process appended:
   * `decide` returns the line to append (or nothing).
   */
  private write(decide: (view: LedgerView) => LedgerLine | undefined): Promise<void> {
    return this.serially(() =>
      withFileLock(this.file.path, async () => {
        const raw = this.raw;
        if (raw) {
          await raw.refresh();
          const line = decide(raw);
          // The load (or the catch-up after it) reads this line back into the index.
          if (line) await appendSynced(this.file.path, encodeLine(line), raw.tornTail);
          // A busy process is never idle: bound the writes that search the bytes.
          if (++this.rawWrites >= RAW_WRITES_BEFORE_LOAD) this.startLoading().catch(() => {});
          return;
        }
        await this.catchUp();
        const line = decide(this.index);
        if (!line) return;
        await this.append(encodeLine(line));
        this.index.apply(line);
        this.compactSoon();
      }),
    );
  }

  /**
   * Schedules the full load for when the ledger has had no call for a moment: parsing would
   * compete for the CPU with start-up and with the first calls, which the bytes answer
   * anyway. Unref'd: a pending load never keeps the process alive.
   */
  private loadWhenIdle(): void {
    if (this.loading) return;
    clearTimeout(this.loadTimer);
    this.loadTimer = setTimeout(() => this.startLoading().catch(() => {}), LOAD_DELAY_MS);
    this.loadTimer.unref();
  }

  /** The full load, started when idle or by the first call that needs the index. */
  private startLoading(): Promise<void> {
    this.loading ??= this.load();
    return this.loading;
  }

  /** The first read: a ledger that is already large is not compacted as soon as it grows. */
  private async load(): Promise<void> {
    await this.catchUp();
    this.linesAfterCompaction = this.lines;
    this.raw = undefined;
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
   * (or the load), off the caller's path: the write that crosses the line has resolved.
   */
  private compactSoon(): void {
    const due = Math.max(this.linesAfterCompaction, this.maxEntries) + this.maxEntries;
    if (this.lines <= due || this.compacting || this.closed) return;
    this.compacting = this.serially(() => withFileLock(this.file.path, () => this.compact()))
      .catch(() => {})
      .finally(() => {
        this.compacting = undefined;
      });
  }

  private async compact(): Promise<void> {
    await this.catchUp();
    const { text, lines, dropped, droppedUploads } = compactedText(
      this.index.entries(),
      this.index.priceList(),
      this.index.uploadList(),
      this.maxEntries,
    );
    await replaceFile(this.file.path, text);
    await this.file.adopt();
    for (const entry of dropped) this.index.delete(entry.id);
    for (const upload of droppedUploads) this.index.forgetUpload(upload.url);
    this.lines = lines;
    this.linesAfterCompaction = lines;
  }
}
