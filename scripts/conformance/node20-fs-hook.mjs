/**
 * Registered with `node --import` in front of the conformance CLI on Node 20. The CLI imports
 * `globSync` from "fs" at load time (Node 22 added it) although only its tier-check command
 * calls it; without this, the whole CLI fails to link on the Node 20 this project supports.
 * The hook swaps "fs" for a module that is node:fs plus a small globSync, for the CLI only.
 */
import { register } from "node:module";

if (!("globSync" in (await import("node:fs")))) {
  register(
    `data:text/javascript,${encodeURIComponent(`
      const shim = ${JSON.stringify(new URL("./fs-with-glob.mjs", import.meta.url).href)};
      export async function resolve(specifier, context, next) {
        if ((specifier === "fs" || specifier === "node:fs") &&
            context.parentURL?.includes("/@modelcontextprotocol/conformance/")) {
          return { url: shim, shortCircuit: true };
        }
        return next(specifier, context);
      }`)}`,
  );
}
