/**
 * The indexes (and the byte search used while loading) must give exactly the answers a full
 * scan of the ledger gives: a random history of intents, updates, removals, prices, owners
 * and days is replayed into a file, then every question is asked three ways.
 */
import { appendFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { LedgerIndex } from "../../src/store/ledger-index.js";
import { encodeLine, type LedgerLine, parseLine, tombstone } from "../../src/store/ledger-lines.js";
import { RawLedger } from "../../src/store/raw-ledger.js";
import { type LedgerEntry, netCost } from "../../src/store/types.js";
import { intent, ledgerEntry } from "../fixtures/ledger-entries.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "rivya-ledger-index-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number) {
  let state = seed;
  return (n: number) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
}

const NOW = new Date(Date.UTC(2026, 5, 10, 12));
const OWNERS = ["local", "ana", "ben"];

function history(seed: number, count: number): LedgerLine[] {
  const pick = random(seed);
  const lines: LedgerLine[] = [];
  const live: LedgerEntry[] = [];
  for (let n = 0; n < count; n++) {
    const roll = pick(10);
    const existing = live[pick(Math.max(1, live.length))];
    if (roll < 4 || !existing) {
      // Created up to four days ago, at any time of day.
      const at = new Date(NOW.getTime() - pick(4 * 86_400) * 1000).toISOString();
      const entry = intent(n, {
        owner: OWNERS[pick(3)] as string,
        client_request_id: `req-${pick(count)}`,
        quote_credits: 10 * (1 + pick(9)),
        created_at: at,
      });
      live.push(entry);
      lines.push({ kind: "entry", entry });
    } else if (roll < 8) {
      const status = (["queued", "processing", "succeeded", "failed"] as const)[pick(4)];
      const next = ledgerEntry(0, {
        ...existing,
        state: "created",
        task_id: `task_${existing.id}`,
        status: status ?? "queued",
        reserved_credits: 10 * pick(30),
        final_credits: 10 * pick(30),
      });
      live[live.indexOf(existing)] = next;
      lines.push({ kind: "entry", entry: next });
    } else if (roll < 9) {
      // Sometimes a removal by the wrong owner, which must change nothing.
      lines.push(tombstone(pick(4) === 0 ? "mallory" : existing.owner, existing.id));
    } else lines.push({ kind: "price", key: `k${pick(3)}`, credits: 10 * pick(40) });
  }
  return lines;
}

/** The answers of a plain scan, last line per id winning. */
function scan(lines: LedgerLine[]) {
  const byId = new Map<string, LedgerEntry>();
  const prices = new Map<string, number>();
  for (const line of lines) {
    if (line.kind === "entry") byId.set(line.entry.id, line.entry);
    else if (line.kind === "removed") {
      if (byId.get(line.id)?.owner === line.owner) byId.delete(line.id);
    } else if (line.kind === "price")
      prices.set(line.key, Math.max(prices.get(line.key) ?? 0, line.credits));
  }
  const all = [...byId.values()];
  return {
    all,
    prices,
    spent: (owner: string, since: Date) =>
      all
        .filter((e) => e.owner === owner && e.created_at >= since.toISOString())
        .reduce((sum, e) => sum + netCost(e), 0),
    byRequest: (owner: string, crid: string) =>
      all.filter((e) => e.owner === owner && e.client_request_id === crid),
  };
}

it.each([1, 2, 3])(
  "indexes and the byte search answer like a full scan (seed %i)",
  async (seed) => {
    const lines = history(seed, 1500);
    const path = join(dir, "ledger.jsonl");
    await appendFile(path, lines.map(encodeLine).join(""));
    const truth = scan(lines);
    const index = new LedgerIndex();
    for (const line of lines) index.apply(parseLine(encodeLine(line)) as LedgerLine);
    const raw = new RawLedger(path);
    await raw.refresh();

    expect(index.size).toBe(truth.all.length);
    for (const owner of OWNERS) {
      const newest = [...truth.all.filter((e) => e.owner === owner)]
        .sort((a, b) => b.created_at.localeCompare(a.created_at))
        .map((e) => e.created_at);
      expect(index.list(owner, 25).map((e) => e.created_at)).toEqual(newest.slice(0, 25));
      for (const since of [
        new Date(NOW.getTime() - 3_600_000),
        new Date(Date.UTC(2026, 5, 10)),
        new Date(Date.UTC(2026, 5, 8, 17, 30)),
        new Date(0),
      ]) {
        expect(index.spentSince(owner, since)).toBe(truth.spent(owner, since));
        const fromBytes = raw.spentSince(owner, since, NOW);
        if (since.getTime() > 0) expect(fromBytes).toBe(truth.spent(owner, since));
        else expect(fromBytes).toBeUndefined(); // too far back: the caller waits for the load
      }
      for (let n = 0; n < 1500; n += 7) {
        const matches = truth.byRequest(owner, `req-${n}`);
        const latest = matches.at(-1);
        // Several entries may share a crid in this random history; any of them proves it used.
        if (latest) {
          expect(matches.map((e) => e.id)).toContain(
            index.findByClientRequestId(owner, `req-${n}`)?.id,
          );
          expect(matches.map((e) => e.id)).toContain(
            raw.findByClientRequestId(owner, `req-${n}`)?.id,
          );
        } else {
          expect(index.findByClientRequestId(owner, `req-${n}`)).toBeUndefined();
          expect(raw.findByClientRequestId(owner, `req-${n}`)).toBeUndefined();
        }
      }
    }
    for (const entry of truth.all) {
      expect(index.get(entry.owner, entry.id)).toEqual(entry);
      if (entry.task_id) expect(index.get(entry.owner, entry.task_id)).toEqual(entry);
      expect(index.get("mallory", entry.id)).toBeUndefined();
    }
    for (const key of ["k0", "k1", "k2", "k3"]) {
      expect(index.learnedPrice(key)).toBe(truth.prices.get(key));
      expect(raw.learnedPrice(key)).toBe(truth.prices.get(key));
    }
  },
);
