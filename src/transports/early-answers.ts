/**
 * A stdio start, answered sooner. A host that launches this server waits for `initialize`
 * (2025-11-25) or `server/discover` (2026-07-28), then `tools/list`, before the person can
 * use it. Those answers depend only on the server's identity, its tool list and its
 * settings, all known before the SDK, zod and the model tables are loaded, which is about
 * half of a start. So while those load, the opening requests are answered here from the same
 * values (mcp/identity.ts, the tool list the build embedded).
 *
 * The SDK still sees every message, in order, once it is ready: it learns the client's
 * capabilities from the `initialize` it is handed, and its answers to requests answered here
 * are dropped, after a check that they say the same (a difference is logged: a bug here).
 * Anything this module is not sure to answer exactly as the SDK would (another method, a
 * protocol version not listed below, an unusual envelope) ends early answering: from that
 * message on, the SDK answers everything.
 */
import { PassThrough } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import type { Tool } from "@modelcontextprotocol/server";
import { canonicalJson, isPlainObject } from "../canonical-json.js";
import { CACHE_HINTS, CAPABILITIES, INSTRUCTIONS, SERVER_INFO } from "../mcp/identity.js";

/** 2025-era versions the SDK answers `initialize` with as asked (a test checks its list). */
export const EARLY_LEGACY_VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];
export const MODERN_VERSION = "2026-07-28";

/** The SDK's `_meta` keys, spelled out here so this file loads nothing of it (a test compares). */
export const META_KEYS = {
  version: "io.modelcontextprotocol/protocolVersion",
  clientInfo: "io.modelcontextprotocol/clientInfo",
  capabilities: "io.modelcontextprotocol/clientCapabilities",
  serverInfo: "io.modelcontextprotocol/serverInfo",
} as const;
const VERSION_KEY = META_KEYS.version;

type Id = string | number;
type Message = {
  jsonrpc?: unknown;
  id?: unknown;
  method?: unknown;
  params?: unknown;
  result?: unknown;
};
type Era = "opening" | "legacy" | "modern" | "done";

const isId = (id: unknown): id is Id => typeof id === "string" || typeof id === "number";
const isText = (v: unknown): v is string => typeof v === "string";

/** clientInfo as every client sends it: a name and a version, any other fields text. */
function plainClientInfo(info: unknown): boolean {
  if (!isPlainObject(info) || !isText(info.name) || !isText(info.version)) return false;
  return Object.entries(info).every(([k, v]) => k === "icons" || isText(v));
}

/** Client capabilities as the spec shapes them: each one an object (its options). */
const plainCapabilities = (caps: unknown) =>
  isPlainObject(caps) && Object.values(caps).every(isPlainObject);

/**
 * Params of a plain 2026-07-28 request: nothing but the envelope, and the envelope nothing but
 * the three keys every request carries.
 */
function plainModernParams(params: unknown): boolean {
  if (!isPlainObject(params) || Object.keys(params).length !== 1) return false;
  const meta = params._meta;
  return (
    isPlainObject(meta) &&
    Object.keys(meta).length === 3 &&
    meta[VERSION_KEY] === MODERN_VERSION &&
    plainClientInfo(meta[META_KEYS.clientInfo]) &&
    plainCapabilities(meta[META_KEYS.capabilities])
  );
}

/** Params of a plain 2025 request without arguments: none, `{}`, or only a `_meta` of no era. */
function plainLegacyParams(params: unknown): boolean {
  if (params === undefined) return true;
  if (!isPlainObject(params)) return false;
  const keys = Object.keys(params);
  return (
    keys.length === 0 ||
    (keys.length === 1 && isPlainObject(params._meta) && !(VERSION_KEY in params._meta))
  );
}

export class EarlyAnswers {
  private era: Era = "opening";
  /** Answers given here, by request id, until the SDK's own answer is checked against them. */
  private readonly given = new Map<Id, { method: string; result: Record<string, unknown> }>();
  /** How many requests were answered here (logged at hand-over). */
  answeredCount = 0;

  /**
   * @param tools tools/list as the SDK server will publish it (mcp/tool-list.ts); without it
   *   (running from source) nothing is answered early.
   */
  constructor(
    private readonly tools: Tool[] | undefined,
    private readonly onMismatch: (method: string) => void,
  ) {}

  /** The result for a message read before the SDK is ready, or undefined: the SDK answers it. */
  answer(message: Message): Record<string, unknown> | undefined {
    if (this.era === "done") return undefined;
    const result = this.resultFor(message);
    if (result === undefined) {
      // The one notification of an opening passes on to the SDK; anything else ends this.
      const initialized =
        this.era === "legacy" &&
        message.method === "notifications/initialized" &&
        !("id" in message);
      if (!initialized) this.era = "done";
      return undefined;
    }
    const id = message.id as Id;
    this.given.set(id, { method: String(message.method), result });
    this.answeredCount++;
    return result;
  }

  /** From now on the SDK answers everything. */
  stop(): void {
    this.era = "done";
  }

  get done(): boolean {
    return this.era === "done";
  }

  /** True for the SDK's answer to a request already answered here: it must not be sent twice. */
  drop(message: Message): boolean {
    if (!isId(message.id) || "method" in message) return false;
    const given = this.given.get(message.id);
    if (!given) return false;
    this.given.delete(message.id);
    // Compared only now, off the start's path: the SDK has loaded by the time it answers.
    if (!("result" in message) || canonicalJson(message.result) !== canonicalJson(given.result))
      this.onMismatch(given.method);
    return true;
  }

  private resultFor(m: Message): Record<string, unknown> | undefined {
    const tools = this.tools;
    if (m.jsonrpc !== "2.0" || !isId(m.id) || this.given.has(m.id) || !tools) return undefined;
    if (this.era === "opening" && m.method === "initialize") return this.initialize(m.params);
    // Any 2026 request may open the connection (the SDK pins the era from it): clients that
    // probed with server/discover in a process of its own start the real one with tools/list.
    if (this.era !== "legacy" && plainModernParams(m.params)) {
      if (m.method !== "server/discover" && m.method !== "tools/list") return undefined;
      this.era = "modern";
      const body =
        m.method === "tools/list"
          ? { tools }
          : {
              supportedVersions: [MODERN_VERSION],
              capabilities: CAPABILITIES,
              instructions: INSTRUCTIONS,
            };
      // As the SDK stamps every 2026 result: complete, its cache hint, the server's identity.
      return {
        ...body,
        resultType: "complete",
        ...CACHE_HINTS[m.method],
        _meta: { [META_KEYS.serverInfo]: SERVER_INFO },
      };
    }
    if (this.era !== "legacy" || !plainLegacyParams(m.params)) return undefined;
    if (m.method === "tools/list") return { tools };
    if (m.method === "ping") return {};
    return undefined;
  }

  private initialize(params: unknown): Record<string, unknown> | undefined {
    if (!isPlainObject(params)) return undefined;
    const { protocolVersion, capabilities, clientInfo, _meta, ...rest } = params;
    const plain =
      Object.keys(rest).length === 0 &&
      (_meta === undefined || (isPlainObject(_meta) && !(VERSION_KEY in _meta))) &&
      isText(protocolVersion) &&
      EARLY_LEGACY_VERSIONS.includes(protocolVersion) &&
      plainCapabilities(capabilities) &&
      plainClientInfo(clientInfo);
    if (!plain) return undefined;
    this.era = "legacy";
    return {
      protocolVersion,
      capabilities: CAPABILITIES,
      serverInfo: SERVER_INFO,
      instructions: INSTRUCTIONS,
    };
  }
}

export interface EarlyStdio {
  /** Everything read from stdin, from the first byte: what the SDK's transport reads. It never ends (stdin's end is handled by stdio.ts's shutdown). */
  input: PassThrough;
  /** Stops answering here; call just before the SDK starts reading `input`. */
  handOver(): EarlyAnswers;
}

/**
 * Starts reading stdin now, answering what EarlyAnswers can on stdout, and copying every
 * byte to `input` for the SDK. Lines are newline-delimited JSON-RPC, as MCP's stdio is.
 */
export function answerEarly(
  stdin: NodeJS.ReadableStream,
  stdout: NodeJS.WritableStream,
  answers: EarlyAnswers,
): EarlyStdio {
  const input = new PassThrough();
  // Characters split across chunks are joined, not replaced.
  const decoder = new StringDecoder("utf8");
  let pending = "";
  const onData = (chunk: Buffer | string) => {
    if (answers.done) return;
    pending += typeof chunk === "string" ? chunk : decoder.write(chunk);
    let newline = pending.indexOf("\n");
    while (newline !== -1) {
      const line = pending.slice(0, newline).replace(/\r$/, "");
      pending = pending.slice(newline + 1);
      newline = pending.indexOf("\n");
      const message = parse(line);
      if (!message) answers.stop();
      const result = message && answers.answer(message);
      if (result) stdout.write(`${JSON.stringify({ result, jsonrpc: "2.0", id: message.id })}\n`);
    }
  };
  stdin.on("data", onData);
  // A client gone before its answer must not crash the process (a create may be recording).
  stdout.on("error", () => {});
  // The SDK reads a copy that never ends: stdin's end must not abort a create in flight;
  // stdio.ts shuts down on it instead.
  stdin.pipe(input, { end: false });
  return {
    input,
    handOver() {
      stdin.off("data", onData);
      answers.stop();
      return answers;
    },
  };
}

function parse(line: string): Message | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return isPlainObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
