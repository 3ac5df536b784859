/**
 * The ledger held in memory, indexed so every question a call asks costs the same at 20
 * entries as at 20,000: by id, by upstream task id, by (owner, client_request_id), each
 * owner's entries in created_at order, and each owner's spend per UTC day kept up to date as
 * lines arrive.
 */
import { type LedgerLine, uploadOf } from "./ledger-lines.js";
import { budgetCost, type LedgerEntry, type UploadRecord } from "./types.js";

/** One owner's entries created on one UTC day, with their net cost summed. */
interface DaySpend {
  total: number;
  ids: Set<string>;
}

export class LedgerIndex {
  private readonly byId = new Map<string, LedgerEntry>();
  private readonly idByTaskId = new Map<string, string>();
  private readonly idByRequest = new Map<string, string>();
  /** Ascending by created_at, so the newest are at the end. */
  private readonly byOwner = new Map<string, LedgerEntry[]>();
  private readonly spendByOwner = new Map<string, Map<string, DaySpend>>();
  private readonly prices = new Map<string, number>();
  private readonly uploads = new Map<string, UploadRecord>();

  get size(): number {
    return this.byId.size;
  }

  apply(line: LedgerLine): void {
    if (line.kind === "entry") this.upsert(line.entry);
    else if (line.kind === "removed") {
      if (this.byId.get(line.id)?.owner === line.owner) this.delete(line.id);
    } else if (line.kind === "upload") this.addUpload(uploadOf(line));
    else this.raisePrice(line.key, line.credits);
  }

  /** The first record of a URL stands (see Store.recordUpload). */
  addUpload(upload: UploadRecord): void {
    if (!this.uploads.has(upload.url)) this.uploads.set(upload.url, upload);
  }

  uploadOwner(url: string): string | undefined {
    return this.uploads.get(url)?.owner;
  }

  uploadList(): IterableIterator<UploadRecord> {
    return this.uploads.values();
  }

  forgetUpload(url: string): void {
    this.uploads.delete(url);
  }

  upsert(entry: LedgerEntry): void {
    this.delete(entry.id);
    this.byId.set(entry.id, entry);
    if (entry.task_id) this.idByTaskId.set(entry.task_id, entry.id);
    this.idByRequest.set(requestKey(entry.owner, entry.client_request_id), entry.id);
    insertSorted(this.ownerEntries(entry.owner), entry);
    const day = this.daySpend(entry.owner, dayOf(entry.created_at));
    day.total += budgetCost(entry);
    day.ids.add(entry.id);
  }

  delete(id: string): void {
    const old = this.byId.get(id);
    if (!old) return;
    this.byId.delete(id);
    if (old.task_id && this.idByTaskId.get(old.task_id) === id) this.idByTaskId.delete(old.task_id);
    const request = requestKey(old.owner, old.client_request_id);
    if (this.idByRequest.get(request) === id) this.idByRequest.delete(request);
    removeSorted(this.ownerEntries(old.owner), old);
    const day = this.daySpend(old.owner, dayOf(old.created_at));
    day.total -= budgetCost(old);
    day.ids.delete(id);
  }

  byLedgerId(id: string): LedgerEntry | undefined {
    return this.byId.get(id);
  }

  get(owner: string, idOrTaskId: string): LedgerEntry | undefined {
    const entry = this.byId.get(idOrTaskId) ?? this.byId.get(this.idByTaskId.get(idOrTaskId) ?? "");
    return entry?.owner === owner ? entry : undefined;
  }

  findByClientRequestId(owner: string, clientRequestId: string): LedgerEntry | undefined {
    const id = this.idByRequest.get(requestKey(owner, clientRequestId));
    return id === undefined ? undefined : this.byId.get(id);
  }

  /** Newest first. */
  list(owner: string, limit: number): LedgerEntry[] {
    const entries = this.byOwner.get(owner) ?? [];
    return entries.slice(Math.max(0, entries.length - limit)).reverse();
  }

  spentSince(owner: string, since: Date): number {
    const from = since.toISOString();
    const firstDay = dayOf(from);
    let total = 0;
    for (const [day, spend] of this.spendByOwner.get(owner) ?? []) {
      if (day > firstDay) total += spend.total;
      else if (day === firstDay) total += this.partialDay(spend, from);
    }
    return total;
  }

  learnedPrice(key: string): number | undefined {
    return this.prices.get(key);
  }

  raisePrice(key: string, credits: number): void {
    if (credits > (this.prices.get(key) ?? Number.NEGATIVE_INFINITY)) this.prices.set(key, credits);
  }

  entries(): IterableIterator<LedgerEntry> {
    return this.byId.values();
  }

  priceList(): IterableIterator<[string, number]> {
    return this.prices.entries();
  }

  /** The part of a day's spend created at or after `from` (only the first day needs it). */
  private partialDay(spend: DaySpend, from: string): number {
    if (from.endsWith("T00:00:00.000Z")) return spend.total;
    let total = 0;
    for (const id of spend.ids) {
      const entry = this.byId.get(id);
      if (entry && entry.created_at >= from) total += budgetCost(entry);
    }
    return total;
  }

  private ownerEntries(owner: string): LedgerEntry[] {
    return slot(this.byOwner, owner, () => []);
  }

  private daySpend(owner: string, day: string): DaySpend {
    const days = slot(this.spendByOwner, owner, () => new Map<string, DaySpend>());
    return slot(days, day, () => ({ total: 0, ids: new Set<string>() }));
  }
}

function slot<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  const found = map.get(key);
  if (found !== undefined) return found;
  const made = create();
  map.set(key, made);
  return made;
}

const requestKey = (owner: string, clientRequestId: string) => `${owner}\u0000${clientRequestId}`;
const dayOf = (iso: string) => iso.slice(0, 10);

/** First position whose created_at is later than `at` (entries mostly arrive in order). */
function upperBound(entries: LedgerEntry[], at: string): number {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((entries[mid] as LedgerEntry).created_at <= at) low = mid + 1;
    else high = mid;
  }
  return low;
}

function insertSorted(entries: LedgerEntry[], entry: LedgerEntry): void {
  const at = upperBound(entries, entry.created_at);
  if (at === entries.length) entries.push(entry);
  else entries.splice(at, 0, entry);
}

function removeSorted(entries: LedgerEntry[], entry: LedgerEntry): void {
  // Entries sharing a created_at sit just before the upper bound: walk back to this one.
  for (let at = upperBound(entries, entry.created_at) - 1; at >= 0; at--) {
    const candidate = entries[at] as LedgerEntry;
    if (candidate.created_at !== entry.created_at) return;
    if (candidate.id === entry.id) {
      entries.splice(at, 1);
      return;
    }
  }
}
