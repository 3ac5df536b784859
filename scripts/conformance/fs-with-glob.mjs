/**
 * node:fs plus the one globSync form the conformance CLI uses ("**\/NAME" under a cwd), for
 * Node 20 where fs has none. Loaded only through node20-fs-hook.mjs.
 */
import fs from "node:fs";
import { join, relative } from "node:path";

export * from "node:fs";
export default fs;

export function globSync(pattern, options = {}) {
  const cwd = options.cwd ?? process.cwd();
  const name = String(pattern).replace(/^\*\*\//, "");
  const found = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name === name) found.push(relative(cwd, path));
    }
  };
  if (fs.existsSync(cwd)) walk(cwd);
  return found;
}
