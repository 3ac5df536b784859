/**
 * Replaces a file in one step: the new content goes to a synced temporary file beside it,
 * which is then renamed over the old one, so a reader (or a crash) never sees half a file.
 * Used by the ledger's compaction, the tokens file and the simulator's saved state.
 */
import { chmod, open, rename } from "node:fs/promises";

export async function replaceFileAtomically(
  path: string,
  data: string | Uint8Array,
  mode = 0o600,
): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  const handle = await open(temp, "w", mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  // A temporary file left by a crashed run keeps its old mode through open(); set it.
  await chmod(temp, mode);
  await rename(temp, path);
}
