/**
 * The bytes of ledger.jsonl: reads what was appended since the last read (by this process or
 * another), appends synced lines, and notices when another process's compaction replaced the
 * file, so the caller can start over. Only whole lines are consumed: a tail without its
 * newline is either being written right now or was torn by a crash, and is left for later.
 *
 * The file being followed stays open. That is what makes "same inode" mean "same file": an
 * inode freed by a rename can be reused at once by the next compaction's file, but not while
 * a process still holds it open.
 */

import { type Stats, statSync } from "node:fs";
import { chmod, type FileHandle, open } from "node:fs/promises";
import { replaceFileAtomically } from "../atomic-file.js";

/** Lines parsed between yields to the event loop while reading a large backlog. */
const LINES_PER_SLICE = 400;

export const FILE_MODE = 0o600;

export class LedgerFile {
  private handle: FileHandle | undefined;
  private inode: number | undefined;
  /** Bytes consumed: always just after a newline. */
  private offset = 0;
  /** Bytes after `offset` seen on the last read (a partial last line). */
  private tail = 0;

  constructor(readonly path: string) {}

  /**
   * Feeds every complete line appended since the last call to `onLine`, yielding to the event
   * loop every few hundred lines so a large backlog never blocks calls for long. When the
   * file was replaced (another process compacted it), `onReplaced` runs first: everything
   * read before is stale and the new file is read from its start.
   */
  async readNew(onLine: (text: string) => void, onReplaced: () => void): Promise<void> {
    const now = statOrUndefined(this.path);
    if (!now) return;
    let size = now.size;
    if (now.ino !== this.inode || size < this.offset + this.tail) {
      if (this.handle) onReplaced();
      size = await this.follow();
    }
    if (size === this.offset + this.tail) return;
    const buffer = Buffer.alloc(size - this.offset);
    const { bytesRead } = await (this.handle as FileHandle).read(
      buffer,
      0,
      buffer.length,
      this.offset,
    );
    const consumed = await eachLine(buffer.subarray(0, bytesRead), onLine);
    this.offset += consumed;
    this.tail = bytesRead - consumed;
  }

  /**
   * Appends `text` (whole lines) and syncs it before resolving. Call only when caught up and
   * when no other writer can append meanwhile (under the lock): a partial tail is then a
   * torn write from a crash, and is closed off with a newline so it cannot swallow this line.
   */
  async append(text: string): Promise<{ tornTail: boolean }> {
    if (!this.handle) await this.follow();
    const handle = this.handle as FileHandle;
    const tornTail = this.tail > 0;
    await handle.write(Buffer.from(tornTail ? `\n${text}` : text));
    await handle.datasync();
    this.offset = (await handle.stat()).size;
    this.tail = 0;
    return { tornTail };
  }

  /** After this process renamed a complete replacement over the ledger (under the lock). */
  async adopt(): Promise<void> {
    const size = await this.follow();
    this.offset = size;
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }

  /** Opens whatever file the path names now, to be read from its start; returns its size. */
  private async follow(): Promise<number> {
    await this.close();
    // Appends go to the end whatever the position (O_APPEND); reads give their own position.
    this.handle = await open(this.path, "a+", FILE_MODE);
    const { ino, size } = await this.handle.stat();
    this.inode = ino;
    this.offset = 0;
    this.tail = 0;
    return size;
  }
}

/**
 * Every read asks this first (has another process appended?), so it is a synchronous stat:
 * a few microseconds on a local file, where the thread pool's round trip costs ten times that.
 */
function statOrUndefined(path: string): Stats | undefined {
  return statSync(path, { throwIfNoEntry: false });
}

/** Calls `onLine` for each newline-terminated line; returns the bytes consumed. */
async function eachLine(buffer: Buffer, onLine: (text: string) => void): Promise<number> {
  let start = 0;
  let count = 0;
  for (let end = buffer.indexOf(10, start); end !== -1; end = buffer.indexOf(10, start)) {
    if (end > start) onLine(buffer.toString("utf8", start, end));
    start = end + 1;
    if (++count % LINES_PER_SLICE === 0) await new Promise((r) => setImmediate(r));
  }
  return start;
}

/** An append made before the index exists (see RawLedger), synced like any other. */
export async function appendSynced(
  path: string,
  text: string,
  afterTornTail: boolean,
): Promise<void> {
  const handle = await open(path, "a", FILE_MODE);
  try {
    await handle.write(afterTornTail ? `\n${text}` : text);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** A ledger written by an older version may be world-readable: make it the owner's alone. */
export async function tightenMode(path: string): Promise<void> {
  try {
    await chmod(path, FILE_MODE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}

/** Writes `text` beside the ledger, syncs it, and renames it over the ledger in one step. */
export function replaceFile(path: string, text: string): Promise<void> {
  return replaceFileAtomically(path, text, FILE_MODE);
}
