/**
 * Spend confirmation for 2026-07-28 clients. There the server cannot push a question; it
 * answers the call with `input_required` (the question, plus a signed `requestState`) and
 * the client calls again with the person's answer. The state is signed with a key every
 * replica shares, so any replica can finish a confirmation another one started, and it is
 * bound to the person (the codec's bind) and to this exact call (a hash of tool and
 * arguments in the payload): an approval cannot be replayed by another person or for
 * another call. Nothing is written anywhere before the person says yes.
 *
 * 2025 clients keep today's path: the question is pushed with elicitation/create.
 */
import { createHash, randomBytes } from "node:crypto";
import {
  createRequestStateCodec,
  type InputRequiredResult,
  inputRequired,
  inputResponse,
  ProtocolError,
  ProtocolErrorCode,
  type RequestStateCodec,
  type ServerContext,
} from "@modelcontextprotocol/server";
import { canonicalJson } from "../canonical-json.js";
import type { Store } from "../store/types.js";
import { asksByForm, declaredCapabilities } from "./envelope.js";

/** What a signed requestState carries between the rounds of one call. */
interface ConfirmationState {
  /** sha256 of tool name and arguments: the call this state belongs to. */
  call: string;
  /** Answers given so far, by what was asked about (see ToolContext.askPerson). */
  answers: Record<string, boolean>;
  /** What the question now being answered is about. */
  pending: string;
  /**
   * Random, minted with the call's first question and carried through its rounds: every
   * resend of one answer has the same, so the tool can make them one request (see
   * ToolContext.approval). Without it one yes, resent within the TTL, paid again each time.
   */
  approval: string;
}

/** How long a person has to answer before the question must be asked again. */
const ANSWER_TTL_SECONDS = 600;
const ANSWER_KEY = "approve_spend";

/** Thrown by askPerson on a 2026 call: the boundary turns it into `input_required`. */
class QuestionPending extends Error {
  constructor(
    readonly question: string,
    readonly about: string,
  ) {
    super("a question for the person is pending");
  }
}

export const isQuestionPending = (err: unknown): err is QuestionPending =>
  err instanceof QuestionPending;

/** One call's view of its confirmation: the answers it already carries, and how to ask. */
export interface ConfirmationRound {
  /** True on a 2026 request: questions travel in the result, not as a pushed request. */
  modern: boolean;
  /** Set when this call carries answers from an earlier round (ConfirmationState.approval). */
  approval: string | undefined;
  /** The person's answer about `about`, if this call carries one; throws to ask otherwise. */
  answer(question: string, about: string): boolean | undefined;
  ask(pending: QuestionPending, ctx: ServerContext): Promise<InputRequiredResult>;
}

/** The shared signing key, fetched when first needed (the store may be a database). */
export type KeySource = () => Promise<Uint8Array>;

export class Confirmations {
  private codec: Promise<RequestStateCodec<ConfirmationState>> | undefined;

  /**
   * `key` must give the same bytes on every replica (Store.sharedSecret); without one a
   * process makes its own, which serves a single process (tests).
   */
  constructor(
    private readonly owner: string,
    private readonly key: KeySource = async () => randomBytes(32),
  ) {}

  /** Made on first use: most calls never ask, and a database may not be up at start. */
  private signer(): Promise<RequestStateCodec<ConfirmationState>> {
    this.codec ??= this.key().then((key) =>
      createRequestStateCodec<ConfirmationState>({
        key,
        ttlSeconds: ANSWER_TTL_SECONDS,
        bind: (ctx) => `${ctx.mcpReq.method}\0${this.owner}`,
      }),
    );
    // A key that could not be read is asked for again next time.
    this.codec.catch(() => {
      this.codec = undefined;
    });
    return this.codec;
  }

  /** For ServerOptions.requestState: a forged, expired or other person's state is refused. */
  readonly verify = async (state: string, ctx: ServerContext) =>
    (await this.signer()).verify(state, ctx);

  async round(ctx: ServerContext, tool: string, args: unknown): Promise<ConfirmationRound> {
    const modern = ctx.mcpReq.envelope !== undefined;
    // Hashed only when a question is asked or answered: most calls never are.
    const call = () => callHash(tool, args);
    const state = ctx.mcpReq.requestState<ConfirmationState>();
    if (state && state.call !== call())
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        "requestState belongs to another call: send the arguments the question was asked about, or call again without requestState to be asked anew",
      );
    const answers = { ...state?.answers };
    if (state) answers[state.pending] = approved(ctx);
    const canAsk = modern && asksByForm(declaredCapabilities(ctx));
    const approval = state?.approval;
    return {
      modern,
      approval,
      answer(question, about) {
        if (Object.hasOwn(answers, about)) return answers[about];
        if (!canAsk) return undefined;
        throw new QuestionPending(question, about);
      },
      ask: async (pending, askCtx) =>
        inputRequired({
          inputRequests: {
            [ANSWER_KEY]: inputRequired.elicit({
              mode: "form",
              message: pending.question,
              requestedSchema: approvalSchema(pending.question),
            }),
          },
          requestState: await (await this.signer()).mint(
            {
              call: call(),
              answers,
              pending: pending.about,
              approval: approval ?? randomBytes(16).toString("base64url"),
            },
            askCtx,
          ),
        }),
    };
  }
}

/** Only an explicit yes approves; a decline, a cancel or a missing answer does not. */
function approved(ctx: ServerContext): boolean {
  const response = inputResponse(ctx.mcpReq.inputResponses, ANSWER_KEY);
  return (
    response.kind === "elicit" && response.action === "accept" && response.content?.approve === true
  );
}

/** The question as a form with one yes/no field, the shape 2025 elicitation uses too. */
export function approvalSchema(question: string) {
  return {
    type: "object" as const,
    properties: {
      approve: { type: "boolean" as const, title: "Approve", description: question },
    },
    required: ["approve"],
  };
}

function callHash(tool: string, args: unknown): string {
  // Canonical JSON: the same arguments hash the same however their keys are ordered.
  return createHash("sha256")
    .update(tool)
    .update("\0")
    .update(canonicalJson(args))
    .digest("base64url");
}

/**
 * The store's signing key for every server of this process, read once it is first needed
 * and kept; a failed read (the database down) is tried again next time.
 */
export function sharedRequestStateKey(store: Pick<Store, "sharedSecret">): KeySource {
  let key: Promise<Uint8Array> | undefined;
  return () => {
    key ??= store.sharedSecret("mcp-request-state");
    key.catch(() => {
      key = undefined;
    });
    return key;
  };
}
