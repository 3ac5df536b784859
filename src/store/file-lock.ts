/**
 * The lock several processes sharing one state folder take around every ledger write and
 * compaction (proper-lockfile: an atomic mkdir of `<ledger>.lock`, kept fresh while held and
 * taken over when its holder died). Reads need no lock: appends are whole lines and
 * compaction replaces the file with an atomic rename.
 */
type LockLibrary = typeof import("proper-lockfile");

/** A holder that stopped refreshing its lock this long ago is taken to be dead. */
const STALE_MS = 10_000;

let library: Promise<LockLibrary> | undefined;

/** Loaded on first use (or ahead of it), so start-up does not pay for it. */
export function loadLockLibrary(): Promise<LockLibrary> {
  library ??= import("proper-lockfile").then((m) => (m as { default?: LockLibrary }).default ?? m);
  return library;
}

export async function withFileLock<T>(path: string, work: () => Promise<T>): Promise<T> {
  const { lock } = await loadLockLibrary();
  const release = await lock(path, {
    realpath: false,
    stale: STALE_MS,
    // Waits up to about the stale threshold and a half for a busy or dead holder.
    retries: { retries: 400, factor: 1.2, minTimeout: 2, maxTimeout: 40 },
    // The default throws from a timer and kills the process. A lock is compromised only when
    // this process stalled past the stale threshold; the write in progress still completes
    // and the next one takes the lock afresh.
    onCompromised: () => {},
  });
  try {
    return await work();
  } finally {
    await release().catch(() => {});
  }
}
