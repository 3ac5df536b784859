/**
 * A shared secret in a file of its own, made once for every process sharing the folder. The
 * bytes go to a synced temporary file first, which is then hard-linked to the final name:
 * link() fails when the name exists, so it is an exclusive create that publishes a complete
 * file in one step. Processes racing each make a candidate; one link wins and every other
 * reads the winner's file. (Creating the final name with "wx" and then writing would let a
 * loser read it empty, before the winner's bytes are in.)
 */
import { randomBytes } from "node:crypto";
import { link, open, readFile, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { FILE_MODE } from "./ledger-file.js";
import { SECRET_BYTES } from "./types.js";

export async function secretFile(path: string): Promise<Buffer> {
  const existing = await readSecret(path);
  if (existing) return existing;
  const temp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  const handle = await open(temp, "wx", FILE_MODE);
  try {
    await handle.writeFile(randomBytes(SECRET_BYTES));
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temp, path);
    // The new name must survive a crash: a secret made again would void what was signed.
    await syncFolder(dirname(path));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  } finally {
    await unlink(temp).catch(() => {});
  }
  const secret = await readSecret(path);
  if (!secret) throw new Error(`${path} vanished just after it was made`);
  return secret;
}

async function readSecret(path: string): Promise<Buffer | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  // Only a complete file ever gets the name, so anything else was put there by hand.
  if (bytes.length !== SECRET_BYTES)
    throw new Error(
      `${path} holds ${bytes.length} bytes, not ${SECRET_BYTES}: rivya-mcp did not write it. Remove it to have a new secret made (what the old one signed is then refused).`,
    );
  return bytes;
}

async function syncFolder(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
