/** What a 2026-07-28 request says about its client, in its `_meta` envelope. */
import {
  CLIENT_CAPABILITIES_META_KEY,
  type ClientCapabilities,
  type ServerContext,
} from "@modelcontextprotocol/server";

/** The client's capabilities as this request declares them; undefined on a 2025 request. */
export function declaredCapabilities(
  ctx: ServerContext,
): (ClientCapabilities & { extensions?: Record<string, unknown> }) | undefined {
  return ctx.mcpReq.envelope?.[CLIENT_CAPABILITIES_META_KEY as never];
}
