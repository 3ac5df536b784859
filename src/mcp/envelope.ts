/** What a 2026-07-28 request says about its client, in its `_meta` envelope. */
import {
  CLIENT_CAPABILITIES_META_KEY,
  type ClientCapabilities,
  type ServerContext,
} from "@modelcontextprotocol/server";

/**
 * Whether these capabilities let the server ask the person with a form: `elicitation.form`,
 * or a bare `elicitation: {}` (the rule from before elicitation had modes). One rule for both
 * generations: 2025 capabilities come from `initialize`, 2026 ones with each request.
 */
export function asksByForm(caps: ClientCapabilities | undefined): boolean {
  const elicitation = caps?.elicitation;
  if (elicitation === undefined) return false;
  return elicitation.form !== undefined || Object.keys(elicitation).length === 0;
}

/** The client's capabilities as this request declares them; undefined on a 2025 request. */
export function declaredCapabilities(
  ctx: ServerContext,
): (ClientCapabilities & { extensions?: Record<string, unknown> }) | undefined {
  return ctx.mcpReq.envelope?.[CLIENT_CAPABILITIES_META_KEY as never];
}
