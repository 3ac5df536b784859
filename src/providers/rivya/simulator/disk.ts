/**
 * The simulator's state on disk (only when `stateDir` is set): one JSON snapshot of
 * accounts, tasks, idempotency records and file metadata, plus one file per upload.
 * Every write goes to a synced temp file that is then renamed over the old one, so a crash
 * mid-write leaves the previous snapshot intact. Snapshot writes are serialised and
 * coalesced: callers that ask while one is waiting to start share it.
 */

import { mkdir, readFile, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { replaceFileAtomically } from "../../../atomic-file.js";
import type { SavedAccount } from "./accounts.js";
import type { Entry } from "./idempotency.js";
import type { SavedTask, TaskTotals } from "./tasks.js";
import type { FileBytesDisk, SavedFile } from "./uploaded-files.js";

const VERSION = 1;

export interface Snapshot {
  version: typeof VERSION;
  /** The last port, tried again first so URLs handed out before a restart keep working. */
  port: number;
  accounts: SavedAccount[];
  tasks: SavedTask[];
  totals: TaskTotals;
  idempotency: [string, Entry][];
  files: SavedFile[];
}

async function readIfThere(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/** Another live process holds the state folder: two writers would overwrite each other. */
export class StateDirBusyError extends Error {}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Takes `dir`'s lock for this process; a lock left by a process that is gone is taken over. */
async function takeLock(dir: string): Promise<void> {
  const lock = join(dir, "lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(lock, String(process.pid), { flag: "wx", mode: 0o600 });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const holder = Number((await readIfThere(lock))?.toString());
    if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
      throw new StateDirBusyError(
        `the simulator state folder ${dir} is in use by process ${holder}; stop it, or delete ${lock} if that process is not a simulator`,
      );
    }
    await unlink(lock).catch(() => {});
  }
  throw new StateDirBusyError(`could not take the simulator state lock ${lock}`);
}

export class SimDisk implements FileBytesDisk {
  private last: Promise<void> = Promise.resolve();
  private queued: Promise<void> | undefined;

  private constructor(private readonly dir: string) {}

  /** Opens `dir` for this process alone (StateDirBusyError when another one has it). */
  static async open(dir: string): Promise<SimDisk> {
    await mkdir(join(dir, "files"), { recursive: true, mode: 0o700 });
    await takeLock(dir);
    return new SimDisk(dir);
  }

  /** Waits for the last write, then lets the next process have the folder. */
  async close(): Promise<void> {
    await this.last.catch(() => {});
    await unlink(join(this.dir, "lock")).catch(() => {});
  }

  private get snapshotPath(): string {
    return join(this.dir, "state.json");
  }

  async readSnapshot(): Promise<Snapshot | undefined> {
    const bytes = await readIfThere(this.snapshotPath);
    if (!bytes) return undefined;
    const snapshot = JSON.parse(bytes.toString("utf8")) as Snapshot;
    if (snapshot.version !== VERSION) {
      throw new Error(
        `${this.snapshotPath} is from another simulator version; move it away to start afresh`,
      );
    }
    return snapshot;
  }

  /** Resolves once a snapshot taken after this call is on disk. */
  save(take: () => Snapshot): Promise<void> {
    if (this.queued) return this.queued;
    const run = this.last
      .catch(() => {})
      .then(() => {
        this.queued = undefined;
        return replaceFileAtomically(this.snapshotPath, JSON.stringify(take()));
      });
    this.queued = run;
    this.last = run;
    return run;
  }

  write(id: string, bytes: Buffer): Promise<void> {
    return replaceFileAtomically(this.filePath(id), bytes);
  }

  read(id: string): Promise<Buffer | undefined> {
    return readIfThere(this.filePath(id));
  }

  /** Best effort: a leftover file is only wasted space, never wrong state. */
  remove(id: string): void {
    unlink(this.filePath(id)).catch(() => {});
  }

  private filePath(id: string): string {
    // Ids are ours (`file_<hex>`), but never let one name a path outside the folder.
    return join(this.dir, "files", id.replace(/[^\w-]/g, "_"));
  }
}
