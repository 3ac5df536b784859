/** What a tool may ask of the connection its call arrived on, for either protocol generation. */
import {
  type ProgressToken,
  SdkError,
  SdkErrorCode,
  type Server,
  type ServerContext,
} from "@modelcontextprotocol/server";
import type { ToolContext } from "../generation/context.js";
import { approvalSchema, type ConfirmationRound } from "./confirmation.js";
import { asksByForm } from "./envelope.js";

export function callContext(
  server: Server,
  extra: ServerContext,
  progressToken: ProgressToken | undefined,
  round: ConfirmationRound,
): ToolContext {
  return {
    signal: extra.mcpReq.signal,
    approval: round.approval,
    progress: async (progress, total, message) => {
      if (progressToken === undefined) return;
      await extra.mcpReq.notify({
        method: "notifications/progress",
        params: { progressToken, progress, ...(total === undefined ? {} : { total }), message },
      });
    },
    askPerson: async (question, about = question) => {
      if (round.modern) return round.answer(question, about);
      if (!asksByForm(server.getClientCapabilities())) return undefined;
      try {
        const answer = await extra.mcpReq.elicitInput(
          { mode: "form", message: question, requestedSchema: approvalSchema(question) },
          { signal: extra.mcpReq.signal },
        );
        return answer.action === "accept" && answer.content?.approve === true;
      } catch (err) {
        // A question cancelled or left unanswered is a decline: only a yes spends money.
        if (extra.mcpReq.signal.aborted || isTimeout(err)) return false;
        // The client could not ask after all: treat it as a client that cannot ask.
        return undefined;
      }
    },
    // Roots are deprecated in 2026-07-28; such clients get the configured folders.
    roots: async () => {
      if (round.modern || !server.getClientCapabilities()?.roots) return undefined;
      const { roots } = await server.listRoots(undefined, { signal: extra.mcpReq.signal });
      return roots.length ? roots.map((r) => r.uri) : undefined;
    },
  };
}

const isTimeout = (err: unknown) =>
  err instanceof SdkError && err.code === SdkErrorCode.RequestTimeout;
