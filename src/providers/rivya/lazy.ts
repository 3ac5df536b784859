/**
 * A RivyaClient whose implementation, and with it undici, loads on the first call. A stdio
 * server is spawned many times a day and must answer `initialize` fast; it needs no HTTP
 * client until a tool actually talks to Rivya.
 */
import type { RivyaClient, RivyaClientOptions } from "./client-types.js";

export function lazyRivyaClient(opts: RivyaClientOptions): RivyaClient {
  let real: Promise<RivyaClient> | undefined;
  const client = () => {
    real ??= import("./client.js").then((m) => m.createRivyaClient(opts));
    return real;
  };
  return {
    listModels: async (o) => (await client()).listModels(o),
    getCredits: async (o) => (await client()).getCredits(o),
    createGeneration: async (body, o) => (await client()).createGeneration(body, o),
    getGeneration: async (id, o) => (await client()).getGeneration(id, o),
    uploadFile: async (input, o) => (await client()).uploadFile(input, o),
    getFile: async (id, o) => (await client()).getFile(id, o),
    close: async () => {
      if (real) await (await real).close();
    },
  };
}
