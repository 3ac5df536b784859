/**
 * Local paths for uploads: resolved through symlinks and accepted only inside the allowed
 * folders (the client's MCP roots when it offers them, else the configured folders), so an
 * agent cannot be talked into uploading ~/.ssh or /etc.
 */
import { realpath, stat } from "node:fs/promises";
import { isAbsolute, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ToolInputError } from "./errors.js";

function isInside(dir: string, file: string): boolean {
  const rel = relative(dir, file);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
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

export async function resolveAllowedFile(
  path: string,
  allowed: readonly string[],
): Promise<{ path: string; size: number }> {
  const dirs = await realDirs(allowed);
  const list = allowed.length ? allowed.join(", ") : "(none)";
  let real: string;
  try {
    real = await realpath(resolve(path));
  } catch {
    throw new ToolInputError(
      `path ${path} does not exist or cannot be read. Allowed folders: ${list}. Check the path, or send the file as base64.`,
    );
  }
  if (!dirs.some((dir) => isInside(dir, real))) {
    throw new ToolInputError(
      `path ${path} is outside the folders this server may read (${list}). Move the file there, or start rivya-mcp with --allow-dir.`,
    );
  }
  const info = await stat(real);
  if (!info.isFile()) throw new ToolInputError(`path ${path} is not a regular file.`);
  return { path: real, size: info.size };
}
