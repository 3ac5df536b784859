/**
 * Local paths for uploads: accepted only inside the allowed folders (the client's MCP roots
 * when it offers them, else the configured folders), so an agent cannot be talked into
 * uploading ~/.ssh or /etc. The file is opened once, without following a link in its last
 * component, and what is checked and later uploaded is that open descriptor: swapping a
 * symlink in after the check cannot change which file is sent.
 */
import { constants, openAsBlob } from "node:fs";
import { type FileHandle, open, readlink, realpath, stat } from "node:fs/promises";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { ToolInputError } from "../errors/tool-error.js";

function isInside(dir: string, file: string): boolean {
  const rel = relative(dir, file);
  // "..hidden.png" is a name inside dir; only ".." itself or "../…" leaves it.
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

async function realDirs(dirs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const dir of dirs) {
    const path = dir.startsWith("file://") ? fileURLToPath(dir) : dir;
    try {
      out.push(await realpath(resolve(path)));
    } catch {
      // A missing allowed folder simply allows nothing.
    }
  }
  return out;
}

/** An allowed regular file, held open; `blob` reads that descriptor, not the path. */
export interface OpenedLocalFile {
  path: string;
  size: number;
  blob: Blob;
  close(): Promise<void>;
}

// No link is followed in the last component; O_NONBLOCK keeps a FIFO from hanging the open.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** Where the kernel says an open descriptor's file is (Linux), or undefined elsewhere. */
async function descriptorPath(fd: number): Promise<string | undefined> {
  return readlink(`/proc/self/fd/${fd}`).catch(() => undefined);
}

/**
 * Whether the opened file is the checked one. Linux names the descriptor's real path; other
 * systems compare device and inode with the checked path, which must still be canonical.
 */
async function openedInside(handle: FileHandle, real: string, dirs: string[]): Promise<boolean> {
  const where = await descriptorPath(handle.fd);
  if (where !== undefined) return dirs.some((dir) => isInside(dir, where));
  const [opened, named, canonical] = await Promise.all([
    handle.stat(),
    stat(real).catch(() => undefined),
    realpath(real).catch(() => undefined),
  ]);
  return canonical === real && opened.dev === named?.dev && opened.ino === named?.ino;
}

/** A Blob over the open descriptor itself, streamed lazily (re-readable for a retry). */
function blobOf(handle: FileHandle, real: string): Promise<Blob> {
  // /dev/fd/N reopens the very file behind descriptor N (Linux and macOS); Windows has no
  // such name and reads the checked path.
  return openAsBlob(process.platform === "win32" ? real : `/dev/fd/${handle.fd}`);
}

export async function openAllowedFile(
  path: string,
  allowed: readonly string[],
): Promise<OpenedLocalFile> {
  const dirs = await realDirs(allowed);
  const list = allowed.length ? allowed.join(", ") : "(none)";
  const outside = () =>
    new ToolInputError(
      `path ${path} is outside the folders this server may read (${list}). Move the file there, or start rivya-mcp with --allow-dir.`,
    );
  const unreadable = () =>
    new ToolInputError(
      `path ${path} does not exist or cannot be read. Allowed folders: ${list}. Check the path, or send the file as base64.`,
    );
  const real = await realpath(resolve(path)).catch(() => {
    throw unreadable();
  });
  if (!dirs.some((dir) => isInside(dir, real))) throw outside();
  const handle = await open(real, OPEN_FLAGS).catch((err: NodeJS.ErrnoException) => {
    // ELOOP: a link replaced the file after the check.
    throw err.code === "ELOOP" ? outside() : unreadable();
  });
  try {
    if (!(await openedInside(handle, real, dirs))) throw outside();
    const info = await handle.stat();
    if (!info.isFile()) throw new ToolInputError(`path ${path} is not a regular file.`);
    const blob = await blobOf(handle, real);
    return { path: real, size: info.size, blob, close: () => handle.close() };
  } catch (err) {
    await handle.close();
    throw err;
  }
}
