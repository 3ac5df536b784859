/**
 * Answers for the first calls after a start, straight from the ledger's bytes, while the
 * full load is still under way: what a generation needs first (is this client_request_id
 * known? what did this owner spend today? the learned price) is found with a byte search
 * for its exact JSON text — a few milliseconds for 20,000 tasks, where parsing every line
 * takes far longer. Lines are written by JSON.stringify in one key order, so the searched
 * text is exactly what a matching line holds.
 */
import { open } from "node:fs/promises";
import { parseLine } from "./ledger-lines.js";
import { budgetCost, type LedgerEntry } from "./types.js";

/** Spend questions reaching further back than this wait for the full load instead. */
export const RAW_SPEND_DAYS = 3;

export class RawLedger {
  /**
   * The file as read so far, one chunk per read. Appends are whole lines, so a chunk starts
   * where a line starts, and growing the file never copies what was already read.
   */
  private chunks: { bytes: Buffer; at: number }[] = [];
  /** Bytes taken into chunks: whole lines only. */
  private length = 0;
  /** The file's size at the last look; past `length` lies a line not finished (yet). */
  private size = 0;
  private inode: number | undefined;

  constructor(private readonly path: string) {}

  /** Reads what was appended since the last look (all of it if the file was replaced). */
  async refresh(): Promise<void> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(this.path, "r");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
      throw err;
    }
    try {
      const { ino, size } = await handle.stat();
      if (ino !== this.inode || size < this.length) {
        this.chunks = [];
        this.length = 0;
      }
      this.inode = ino;
      this.size = size;
      if (size === this.length) return;
      const more = Buffer.alloc(size - this.length);
      const { bytesRead } = await handle.read(more, 0, more.length, this.length);
      // Another process may be mid-append: keep whole lines only and read the rest next time.
      const whole = more.subarray(0, bytesRead).lastIndexOf(10) + 1;
      if (whole === 0) return;
      this.chunks.push({ bytes: more.subarray(0, whole), at: this.length });
      this.length += whole;
    } finally {
      await handle.close();
    }
  }

  /** True when the file's last line has no newline (a write torn by a crash). */
  get tornTail(): boolean {
    return this.size > this.length;
  }

  findByClientRequestId(owner: string, clientRequestId: string): LedgerEntry | undefined {
    const found = this.latest(`"client_request_id":${JSON.stringify(clientRequestId)}`);
    return [...found.values()].find(
      (e) => e.owner === owner && e.client_request_id === clientRequestId,
    );
  }

  /** Undefined when `since` is too far back to answer this way. */
  spentSince(owner: string, since: Date, now = new Date()): number | undefined {
    const from = since.toISOString();
    const days = daysBetween(from.slice(0, 10), now.toISOString().slice(0, 10));
    if (days === undefined) return undefined;
    let total = 0;
    for (const day of days) {
      for (const entry of this.latest(`"created_at":"${day}`).values()) {
        if (entry.owner === owner && entry.created_at >= from) total += budgetCost(entry);
      }
    }
    return total;
  }

  learnedPrice(key: string): number | undefined {
    let best: number | undefined;
    for (const { text } of this.linesContaining(`"kind":"price","key":${JSON.stringify(key)},`)) {
      const line = parseLine(text);
      if (line?.kind === "price" && line.credits > (best ?? Number.NEGATIVE_INFINITY))
        best = line.credits;
    }
    return best;
  }

  /** The first record of the URL stands, as in the index. */
  uploadOwner(url: string): string | undefined {
    for (const { text } of this.linesContaining(`{"kind":"upload","url":${JSON.stringify(url)},`)) {
      const line = parseLine(text);
      if (line?.kind === "upload" && line.url === url) return line.owner;
    }
    return undefined;
  }

  /** The latest state of every entry with a line containing `needle`, less removed ones. */
  private latest(needle: string): Map<string, LedgerEntry> {
    const found = new Map<string, { entry: LedgerEntry; at: number }>();
    for (const { text, at } of this.linesContaining(needle)) {
      const line = parseLine(text);
      if (line?.kind === "entry") found.set(line.entry.id, { entry: line.entry, at });
    }
    const live = new Map<string, LedgerEntry>();
    if (found.size === 0) return live;
    // Tombstones are few: one pass finds the last one of each id (never one pass per entry).
    const removedAt = new Map<string, number>();
    for (const { text, at } of this.linesContaining('"kind":"removed",')) {
      const line = parseLine(text);
      if (line?.kind === "removed") removedAt.set(`${line.owner}\n${line.id}`, at);
    }
    for (const [id, { entry, at }] of found) {
      // Only a tombstone written after the entry's last line removes it.
      if ((removedAt.get(`${entry.owner}\n${id}`) ?? -1) < at) live.set(id, entry);
    }
    return live;
  }

  /** Every complete line holding `needle`, in file order, with where it starts. */
  private linesContaining(needle: string): { text: string; at: number }[] {
    const lines: { text: string; at: number }[] = [];
    for (const { bytes, at } of this.chunks) {
      for (let hit = bytes.indexOf(needle); hit !== -1; ) {
        const start = bytes.lastIndexOf(10, hit) + 1;
        const end = bytes.indexOf(10, hit);
        if (end === -1) break;
        lines.push({ text: bytes.toString("utf8", start, end), at: at + start });
        hit = bytes.indexOf(needle, end);
      }
    }
    return lines;
  }
}

/** The UTC days from `first` to `last` inclusive, or undefined if more than RAW_SPEND_DAYS. */
function daysBetween(first: string, last: string): string[] | undefined {
  const days: string[] = [];
  for (let day = new Date(`${first}T00:00:00Z`); ; day = new Date(day.getTime() + 86_400_000)) {
    const name = day.toISOString().slice(0, 10);
    if (name > last) return days;
    if (days.length === RAW_SPEND_DAYS) return undefined;
    days.push(name);
  }
}
