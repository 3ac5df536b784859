/**
 * Stands in for `@modelcontextprotocol/server/_shims` in the bundle (scripts/build.mjs aliases
 * it). The SDK's Node shim imports its vendored Ajv 8 statically, and every McpServer builds
 * an Ajv instance, so each start compiled and ran ≈ 295 kB of validator code that only one
 * thing uses: checking an accepted elicitation answer against its requested schema (our
 * spend confirmation). Here Ajv is the SDK's own validator, unchanged, loaded on the first
 * getValidator() call: `require` of a bundled ES module makes esbuild wrap it in a lazy
 * initialiser, so it is evaluated then, synchronously, as getValidator must be.
 */
import process from "node:process";

export { process };

export class DefaultJsonSchemaValidator {
  /** @type {import("@modelcontextprotocol/server/validators/ajv").AjvJsonSchemaValidator | undefined} */
  #ajv;

  /** @param {import("@modelcontextprotocol/server").JsonSchemaType} schema */
  getValidator(schema) {
    if (!this.#ajv) {
      const { AjvJsonSchemaValidator } = require("@modelcontextprotocol/server/validators/ajv");
      this.#ajv = new AjvJsonSchemaValidator();
    }
    return this.#ajv.getValidator(schema);
  }
}
