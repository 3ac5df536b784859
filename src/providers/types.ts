/**
 * The seam between the tools and the services that make videos. Tools, the ledger, budgets
 * and the error boundary speak only these neutral types; each provider (providers/<id>/)
 * maps them to its own wire format, and its errors are `ProviderError`s with a kind from the
 * one error table (errors/).
 */
import type { MediaKind, ModelTable } from "../catalog/types.js";

/** The four task states every provider's statuses map onto, in the order a task moves. */
export const TASK_STATUSES = ["queued", "processing", "succeeded", "failed"] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
/** A finished task: its credits are settled and it will not change again. */
export const isTerminalStatus = (status: TaskStatus) =>
  status === "succeeded" || status === "failed";

/** A generation as the tools and the ledger see it, whichever provider runs it. */
export interface Task {
  id: string;
  status: TaskStatus;
  model: string;
  /** In the provider's credits (see `Provider.unit`). */
  reserved_credits: number;
  final_credits: number;
  created_at: string;
  updated_at: string;
  /**
   * `expires_at` (ISO 8601): when the provider stops serving the result links, for providers
   * whose links expire (EvoLink's after 24 h); absent when they do not.
   */
  result: { primary_url: string; urls: string[]; expires_at?: string } | null;
  error: { code: string; message: string } | null;
}

/** One reference file for a generation, as upload_reference returns it (catalog/schema.ts checks it). */
export type { ReferenceItemInput as ReferenceItem } from "../catalog/schema.js";

/**
 * A validated generation request. `params` holds the model's settings in the table's
 * upstream form, defaults filled in, with any references under `referenceMediaItems`: the
 * ledger's request hash has always been taken over exactly this shape, so it must not change.
 */
export interface GenerationRequest {
  model: string;
  prompt: string;
  params?: Record<string, unknown>;
  client_request_id?: string;
}

/** What a call costs before it is sent, in one provider's credits. */
export interface Quote {
  amount: number;
  /** Whose credits, e.g. "Rivya credits": money without a unit cannot be compared. */
  unit: string;
  /** How the amount was found, in a sentence an agent can repeat to the person. */
  basis: string;
  /** The provider's stated price for these settings, before anything learned raised it. */
  stated: number;
  /**
   * True when no price is published for these settings and `amount` is a guess: the call
   * then needs the caller's own ceiling (max_credits) and the person's yes, at any amount.
   */
  estimate?: boolean;
}

/** What the store remembers of earlier calls with the same model and settings. */
export interface PriceHistory {
  /** The highest reservation the provider made for them. */
  highestReserved?: number | undefined;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface SubmitOptions extends CallOptions {
  idempotencyKey: string;
  callbackUrl?: string | undefined;
}

export interface Submission {
  task: Task;
  /** The provider answered with an earlier create of the same request: no second charge. */
  replayed: boolean;
}

/** Bytes for a provider's file store: a path streamed from disk, or bytes in memory. */
export interface UploadInput {
  path?: string;
  data?: Uint8Array | Blob;
  filename: string;
  mimeType: string;
  kind: MediaKind;
  model?: string;
}

export interface UploadedFile {
  id: string;
  url: string;
  kind: MediaKind;
  name: string;
  mimeType: string;
  sizeBytes: number;
  durationSeconds?: number;
  durationToken?: string;
  /** ISO 8601, when the provider deletes the file (EvoLink's after 72 h); absent if never. */
  expiresAt?: string;
  /** Where it went, in words ("Rivya Files API (POST /api/v1/files)"). */
  destination: string;
}

/** A provider's fixed facts: what it offers and what it charges. No I/O. */
export interface ProviderInfo {
  /** Short and stable: the ledger records it and the price memory is keyed by it. */
  readonly id: string;
  readonly displayName: string;
  /** The unit of its quotes and task credits, e.g. "Rivya credits". */
  readonly unit: string;
  readonly models: readonly ModelTable[];
  /**
   * True when a create carries an idempotency key, so a create whose answer was lost may be
   * sent again and the provider returns the first task. False means a resend may charge twice.
   */
  readonly idempotentCreate: boolean;
  /** The price of a call with these settings (upstream form, defaults filled in). */
  quote(model: ModelTable, settings: Record<string, unknown>, history?: PriceHistory): Quote;
}

/** A provider bound to one set of credentials: what the tools call. */
export interface Provider extends ProviderInfo {
  /** Whether a key is configured; without one only the catalogue works. */
  readonly configured: boolean;
  /**
   * Origins of this provider's own result links, trusted like its API when a video is saved
   * (a simulator serves them over plain HTTP on loopback). Other links pass the URL checks.
   */
  readonly linkOrigins?: readonly string[];
  /**
   * Sends a create once; with `idempotencyKey` (when supported) a repeat returns the first
   * task. `callbackUrl`, when given, is where the provider may report the task's progress.
   */
  submit(request: GenerationRequest, o: SubmitOptions): Promise<Submission>;
  getTask(taskId: string, o?: CallOptions): Promise<Task>;
  /** Present when the provider has its own file store for references. */
  upload?(input: UploadInput, o?: CallOptions): Promise<UploadedFile>;
  /** The account's credit balance, when the provider can tell. */
  balance?(o?: CallOptions): Promise<number>;
  /**
   * The task id a callback (webhook) names, or undefined when it is not one of ours. A
   * callback is a hint only: the caller re-reads the task before believing it.
   */
  taskIdFromCallback?(body: unknown): string | undefined;
  /** True when a failed create proves the provider created (and charged) nothing. */
  createdNothing(err: unknown): boolean;
  close(): Promise<void>;
}

/** How a provider is reached. */
export interface Connection {
  baseUrl: string;
  /** A separate file-store host, for providers that have one (EvoLink's Files API). */
  filesUrl?: string | undefined;
  apiKey?: string | undefined;
  userAgent?: string;
}

/** A provider as the server ships it: its facts, where its settings live, how to connect. */
export interface ProviderSpec extends ProviderInfo {
  /** Environment variables for the server's own key and base URL, and the public URL. */
  env: { apiKey: string; baseUrl: string; defaultBaseUrl: string; filesUrl?: string };
  connect(connection: Connection): Provider;
}
