/**
 * generate_video with a family as `model` (one model served by several providers): the
 * family's settings are translated for each member, each member's own table and limits are
 * checked, the members are ordered by policy, and the call goes to the first that takes it.
 * It moves on to the next member only when the failure proves the first created (and
 * charged) nothing; anything after a create may have been processed is reported, never
 * failed over, so no request is ever paid twice.
 */
import type { ModelTable } from "../catalog/types.js";
import { ToolError, ToolInputError } from "../errors/tool-error.js";
import type { ServerDeps, ToolContext } from "../generation/context.js";
import { healthOf } from "../generation/provider-health.js";
import { quoteFor } from "../generation/quote.js";
import { inLimitUnit, type LimitUnit } from "../generation/spend-guard.js";
import { NothingCreatedError, type Submitted, settingsOf, submit } from "../generation/submit.js";
import type { Provider, Quote } from "../providers/types.js";
import { type GenerateCall, parseGenerateCall } from "./generate-request.js";

export interface Member {
  provider: Provider;
  call: GenerateCall;
  quote: Quote;
  /** The quote in US dollars, when the provider's rate is configured. */
  usd: number | undefined;
  /** The quote in the family's unit (see familyUnit), when the rates convert it. */
  counted: number | undefined;
}

export interface Routing {
  /** Members that can honour the request, best first. */
  members: Member[];
  /** Why the others cannot, one sentence each. */
  refused: string[];
  /** Why the first is first. */
  why: string;
}

/** The member's own generate_video arguments for a family call, or why it cannot take it. */
function memberArgs(call: GenerateCall, member: string, family: ModelTable) {
  const references = (call.body.params?.referenceMediaItems ?? []) as {
    url: string;
    kind: string;
  }[];
  const spec = family.members?.find((m) => m.model === member);
  const translation = spec?.translate({ settings: call.settings, references });
  if (!translation || "refused" in translation) return { refused: translation?.refused ?? "" };
  return {
    args: {
      model: member,
      prompt: call.body.prompt,
      params: translation.params,
      ...(translation.references?.length ? { reference_media: translation.references } : {}),
      ...(call.clientRequestId ? { client_request_id: call.clientRequestId } : {}),
      ...(call.maxCredits === undefined ? {} : { max_credits: call.maxCredits }),
      ...(call.confirmed ? { confirm: true } : {}),
      ...(call.resubmitInDoubt ? { resubmit_in_doubt: true } : {}),
    },
  };
}

const preferenceOf = (deps: ServerDeps) =>
  deps.config.providerOrder ?? deps.providers.list.map((p) => p.id);

/** A provider's place in the preference order (unlisted ones last). */
function rankOf(deps: ServerDeps): (provider: Provider) => number {
  const preference = preferenceOf(deps);
  return (provider) => {
    const i = preference.indexOf(provider.id);
    return i === -1 ? preference.length : i;
  };
}

/**
 * The provider whose credits a family call's max_credits and confirmation threshold count:
 * the first in the preference order that serves a member and has a key. It does not depend
 * on the request or on prices, so the number an agent reads in list_models means one amount
 * of money whichever member takes the call.
 */
export function familyUnit(family: ModelTable, deps: ServerDeps): Provider | undefined {
  const rank = rankOf(deps);
  const providers = (family.members ?? []).map((m) => deps.providers.forModel(m.model));
  const ranked = providers.sort((a, b) => rank(a) - rank(b));
  return ranked.find((p) => p.configured) ?? ranked[0];
}

/**
 * What one of a member's credits is worth in the family's unit: 1 for that provider, the
 * ratio of the USD rates for another, undefined without both rates (never taken as 1).
 */
export function limitsFor(family: ModelTable, provider: Provider, deps: ServerDeps): LimitUnit {
  const unit = familyUnit(family, deps) ?? provider;
  if (unit.id === provider.id) return { unit: unit.unit, perCredit: 1 };
  const from = deps.config.usdPerCredit?.[provider.id];
  const to = deps.config.usdPerCredit?.[unit.id];
  const perCredit = from === undefined || to === undefined ? undefined : from / to;
  return { unit: unit.unit, perCredit };
}

function order(members: Member[], deps: ServerDeps): { members: Member[]; why: string } {
  const preference = preferenceOf(deps);
  const rank = rankOf(deps);
  const byPreference = [...members].sort((a, b) => rank(a.provider) - rank(b.provider));
  if (members.length < 2) {
    const only = members[0];
    return { members, why: only ? `the only member that can take this request` : "" };
  }
  if (members.every((m) => m.usd !== undefined)) {
    const cheapest = [...byPreference].sort((a, b) => (a.usd ?? 0) - (b.usd ?? 0));
    const words = cheapest.map((m) => `${m.call.model.id} $${(m.usd ?? 0).toFixed(2)}`).join(" < ");
    return { members: cheapest, why: `cheapest by money (${words})` };
  }
  const names = preference.join(", ");
  return { members: byPreference, why: `first in the preference order (${names})` };
}

/** Every member that can honour the call, best first, each with its own checked call and quote. */
export async function route(
  call: GenerateCall,
  models: readonly ModelTable[],
  deps: ServerDeps,
): Promise<Routing> {
  const family = call.model;
  const members: Member[] = [];
  const refused: string[] = [];
  for (const spec of family.members ?? []) {
    const provider = deps.providers.forModel(spec.model);
    const made = memberArgs(call, spec.model, family);
    if (!("args" in made)) {
      refused.push(`${spec.model} (${provider.displayName}): ${made.refused}`);
      continue;
    }
    if (!provider.configured) {
      refused.push(
        `${spec.model} (${provider.displayName}): no ${provider.displayName} key is configured`,
      );
      continue;
    }
    try {
      members.push(await memberOf(call, made.args, provider, models, deps));
    } catch (err) {
      refused.push(
        `${spec.model} (${provider.displayName}): ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  if (members.length === 0) {
    throw new ToolInputError(
      `No member of ${family.id} can take this request: ${refused.join("; ")}. Change the settings, or name one model directly (list_models). Nothing was spent.`,
    );
  }
  return { ...order(members, deps), refused };
}

/**
 * One member's checked call and quote, from its own generate_video arguments. `sent`: the
 * member a request already in the ledger went to, whose task a retry replays without
 * spending again, so max_credits has nothing left to hold it to.
 */
async function memberOf(
  call: GenerateCall,
  args: Record<string, unknown>,
  provider: Provider,
  models: readonly ModelTable[],
  deps: ServerDeps,
  sent = false,
): Promise<Member> {
  const limits = limitsFor(call.model, provider, deps);
  if (!sent && call.maxCredits !== undefined && limits.perCredit === undefined) {
    throw new ToolInputError(
      `max_credits counts ${limits.unit} (${call.model.id}'s unit) and ${provider.unit} cannot be converted to them without --usd-per-credit rates for both providers; give the rates, or name ${args.model} directly with max_credits in ${provider.unit}`,
    );
  }
  const memberCall = { ...parseGenerateCall(models, args), receivedAt: call.receivedAt, limits };
  memberCall.waitSeconds = call.waitSeconds;
  const quote = await quoteFor(memberCall.model, settingsOf(memberCall), deps);
  const rate = deps.config.usdPerCredit?.[provider.id];
  return {
    provider,
    call: memberCall,
    quote,
    usd: rate === undefined ? undefined : quote.amount * rate,
    counted: inLimitUnit(quote.amount, limits),
  };
}

/**
 * The routing of a retry whose client_request_id is already in the ledger: it includes the
 * member the request went to even when routing would now pass that member over (its key
 * removed, its price changed, every member refused), so a retry always gets its task back.
 * Without that member only when the family cannot send this call there at all.
 */
export async function routeKnown(
  call: GenerateCall,
  knownModel: string,
  models: readonly ModelTable[],
  deps: ServerDeps,
): Promise<Routing> {
  const routing = await route(call, models, deps).catch(() => undefined);
  if (routing?.members.some((m) => m.call.model.id === knownModel)) return routing;
  const made = memberArgs(call, knownModel, call.model);
  const members =
    "args" in made
      ? [await memberOf(call, made.args, deps.providers.forModel(knownModel), models, deps, true)]
      : [];
  return {
    members: [...members, ...(routing?.members ?? [])],
    refused: routing?.refused ?? [],
    why: "the member this client_request_id was sent to before",
  };
}

/** A failure after which the next member may be tried: nothing was created, and it may pass later. */
function movesOn(err: unknown): err is NothingCreatedError {
  return (
    err instanceof NothingCreatedError &&
    (err.category === "upstream_unavailable" || err.category === "rate_limited")
  );
}

export interface Routed extends Submitted {
  member: Member;
  /** What happened before the member that took it, in sentences. */
  notes: string[];
}

/** Sends the call to the members in order, failing over only past proven non-creates. */
export async function submitRouted(
  routing: Routing,
  clientRequestId: string,
  ctx: ToolContext,
  deps: ServerDeps,
): Promise<Routed> {
  const health = healthOf(deps);
  const notes: string[] = [];
  const skipped: Member[] = [];
  const [first] = routing.members;
  const attempt = async (member: Member) => {
    // A person's yes is for the price of the member routing chose, or for up to max_credits
    // when the call names it (the spend guard holds every member to that, in the family's
    // unit). A dearer member without it is asked for again, its amount in the question.
    const keepsYes =
      member === first || member.call.maxCredits !== undefined || !dearer(member, first);
    const call = keepsYes
      ? member.call
      : { ...member.call, confirmed: false, confirmStep: confirmStepFor(member) };
    try {
      const submitted = await submit(call, clientRequestId, member.quote, ctx, deps);
      health.succeeded(member.provider.id);
      return { ...submitted, member, notes };
    } catch (err) {
      if (!movesOn(err)) health.inconclusive(member.provider.id);
      if (notes.length > 0 && !movesOn(err)) throw withEarlier(err, notes, member);
      throw err;
    }
  };
  /** One member's try: the task, or undefined after a proven non-create (noted). */
  const tryMember = async (member: Member): Promise<Routed | undefined> => {
    try {
      return await attempt(member);
    } catch (err) {
      if (!movesOn(err)) throw err;
      // A 429 is one key's rate limit, not the provider down: it does not open the breaker.
      if (err.category === "upstream_unavailable") health.failed(member.provider.id);
      else health.inconclusive(member.provider.id);
      notes.push(`${offerWords(member)} created nothing: ${firstSentence(err.message)}`);
      return undefined;
    }
  };
  for (const member of routing.members) {
    if (health.allows(member.provider.id)) {
      const routed = await tryMember(member);
      if (routed) return routed;
      continue;
    }
    skipped.push(member);
    notes.push(`${member.provider.displayName} is marked down after repeated failures (skipped).`);
  }
  // Every member failed or was skipped: the skipped ones get one try before giving up.
  for (const member of skipped) {
    const routed = await tryMember(member);
    if (routed) return routed;
  }
  const untried = routing.refused.length ? ` Not tried: ${routing.refused.join("; ")}.` : "";
  throw new ToolError(
    `No provider could take the request: ${notes.join(" ")}${untried} Nothing was charged. Try again in a little while with the same client_request_id.`,
    "upstream_unavailable",
    true,
  );
}

/**
 * Whether a member costs more than another: by money when the rates tell, else by credits
 * of one provider. Another provider's credits without rates count as dearer: asked for.
 */
function dearer(member: Member, than: Member | undefined): boolean {
  if (!than) return false;
  if (member.usd !== undefined && than.usd !== undefined) return member.usd > than.usd;
  if (member.counted !== undefined && than.counted !== undefined)
    return member.counted > than.counted;
  return member.provider.id !== than.provider.id || member.quote.amount > than.quote.amount;
}

/**
 * How to confirm a dearer member after failover. In the family's unit the spend guard's own
 * step (confirm: true with its price as max_credits) works; a price that cannot be put in
 * that unit cannot be capped by max_credits, so the member is named for a direct call.
 */
function confirmStepFor(member: Member): string | undefined {
  if (member.counted !== undefined) return undefined;
  const { call, quote } = member;
  const refs = call.body.params?.referenceMediaItems ? " and reference_media" : "";
  return `call generate_video with model ${call.model.id}, params ${JSON.stringify(call.settings)}, the same prompt${refs}, confirm: true and max_credits: ${quote.amount} (${quote.unit}); or give --usd-per-credit rates for both providers`;
}

const offerWords = (m: Member) =>
  `${m.call.model.id} at ${m.provider.displayName} (${m.quote.amount} ${m.quote.unit})`;

const firstSentence = (text: string) => (text.match(/^.*?[.!?](\s|$)/)?.[0] ?? text).trim();

/** A later member's refusal (its price, the budget, a confirmation) says what came before. */
function withEarlier(err: unknown, notes: string[], member: Member): unknown {
  if (!(err instanceof ToolError)) return err;
  const quote = `${member.call.model.id} at ${member.provider.displayName} costs ${member.quote.amount} ${member.quote.unit}`;
  return new ToolError(
    `${notes.join(" ")} Failing over: ${quote}. ${err.message}`,
    err.category,
    err.retryable,
    err.retryAfterSeconds,
  );
}
