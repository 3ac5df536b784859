/**
 * Raw MCP 2026-07-28 requests over HTTP, for what the SDK's Client will not send or accept:
 * task results (it rejects resultType "task"), tasks/* methods, and replayed or forged
 * requestState. Each request carries the per-request envelope and the three Mcp-* headers.
 */

export const MODERN = "2026-07-28";
export const TASKS = "io.modelcontextprotocol/tasks";

export interface ModernCaller {
  /** The JSON-RPC response: `result` or `error`. */
  rpc(method: string, params?: Record<string, unknown>): Promise<RpcResponse>;
}

export interface RpcResponse {
  result?: Record<string, any>;
  error?: { code: number; message: string; data?: unknown };
  /** The HTTP response's headers. */
  headers: Headers;
}

let nextId = 1;

export function modernCaller(
  url: string,
  token: string | undefined,
  clientCapabilities: Record<string, unknown> = { extensions: { [TASKS]: {} } },
): ModernCaller {
  return {
    async rpc(method, params = {}) {
      const id = nextId++;
      const name = (params.name ?? params.taskId) as string | undefined;
      const res = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "mcp-protocol-version": MODERN,
          "mcp-method": method,
          ...(name === undefined ? {} : { "mcp-name": name }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id,
          method,
          params: {
            ...params,
            _meta: {
              ...(params._meta as object | undefined),
              "io.modelcontextprotocol/protocolVersion": MODERN,
              "io.modelcontextprotocol/clientInfo": { name: "raw-test", version: "1.0.0" },
              "io.modelcontextprotocol/clientCapabilities": clientCapabilities,
            },
          },
        }),
      });
      const text = await res.text();
      // A response with notifications before its result comes as an event stream.
      const messages = res.headers.get("content-type")?.includes("text/event-stream")
        ? text
            .split("\n")
            .filter((l) => l.startsWith("data:"))
            .map((l) => JSON.parse(l.slice(5)))
        : [JSON.parse(text)];
      // An error the server could not tie to the request (a refused header, say) has id null.
      const answer =
        messages.find((m) => m.id === id) ?? messages.find((m) => m.id === null && m.error);
      if (!answer) throw new Error(`no answer to request ${id} in: ${text.slice(0, 300)}`);
      return { ...answer, headers: res.headers };
    },
  };
}
