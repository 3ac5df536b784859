/**
 * The tokens file: who may use a hosted server. It stores only a sha256 of each token (a
 * leaked file grants nothing), a name that becomes the person's ledger owner, an optional
 * daily credit budget and the NAMES of environment variables holding the person's own
 * provider keys (rivya_key_env, evolink_key_env) — never the keys themselves, so the file can sit next to the config without being
 * a secret store.
 */

import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { readFile } from "node:fs/promises";
import { lock } from "proper-lockfile";
import * as z from "zod";
import { replaceFileAtomically } from "../atomic-file.js";

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

const entrySchema = z.object({
  name: z.string().regex(NAME, "letters, digits, . _ @ - (at most 64)"),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "64 lowercase hex digits"),
  daily_budget: z.number().nonnegative().optional(),
  rivya_key_env: z.string().regex(ENV_NAME, "an environment variable name").optional(),
  evolink_key_env: z.string().regex(ENV_NAME, "an environment variable name").optional(),
  created_at: z.string().optional(),
});
const fileSchema = z.object({ tokens: z.array(entrySchema) });

export type TokenEntry = z.infer<typeof entrySchema>;
export interface TokensFile {
  tokens: TokenEntry[];
}

/** The part after the prefix carries 256 random bits; the prefix makes leaks greppable. */
const TOKEN_PREFIX = "rmcp_";

const digestOf = (token: string) => createHash("sha256").update(token, "utf8").digest();

export function hashToken(token: string): string {
  return digestOf(token).toString("hex");
}

export async function loadTokensFile(path: string, missingOk = false): Promise<TokensFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if (missingOk && (err as NodeJS.ErrnoException).code === "ENOENT") return { tokens: [] };
    throw new Error(`cannot read tokens file ${path}: ${(err as Error).message}`);
  }
  let parsed: z.infer<typeof fileSchema>;
  try {
    parsed = fileSchema.parse(JSON.parse(text));
  } catch (err) {
    const why = err instanceof z.ZodError ? z.prettifyError(err) : (err as Error).message;
    throw new Error(`tokens file ${path} is not valid: ${why}`);
  }
  const seen = new Set<string>();
  for (const t of parsed.tokens) {
    if (seen.has(t.name)) throw new Error(`tokens file ${path} names '${t.name}' twice`);
    seen.add(t.name);
  }
  return parsed;
}

/** Writes via a 0600 temp file and rename, so readers never see half a file. */
function saveTokensFile(path: string, file: TokensFile): Promise<void> {
  return replaceFileAtomically(path, `${JSON.stringify(file, null, 2)}\n`);
}

export interface NewToken {
  name: string;
  dailyBudget?: number | undefined;
  rivyaKeyEnv?: string | undefined;
  evolinkKeyEnv?: string | undefined;
}

/** An env var NAME, refusing what looks like a pasted key: it would sit in the file. */
function checkKeyEnv(flag: string, value: string | undefined, example: string): void {
  if (value === undefined) return;
  if (!ENV_NAME.test(value) || /^(rvya_sk_|sk-)/i.test(value))
    throw new Error(`--${flag} takes an environment variable NAME (e.g. ${example}), not a key`);
}

/** Adds an entry and returns the token; the token itself is never written anywhere. */
export async function createToken(path: string, spec: NewToken): Promise<string> {
  if (!NAME.test(spec.name))
    throw new Error(`--name '${spec.name}' must be letters, digits, . _ @ - (at most 64)`);
  checkKeyEnv("rivya-key-env", spec.rivyaKeyEnv, "RIVYA_KEY_ALICE");
  checkKeyEnv("evolink-key-env", spec.evolinkKeyEnv, "EVOLINK_KEY_ALICE");
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  // Read, add and write under a lock: two `token create` runs at once would otherwise each
  // write the file they read, and one person's printed token would silently not exist.
  await underLock(path, async () => {
    const file = await loadTokensFile(path, true);
    if (file.tokens.some((t) => t.name === spec.name))
      throw new Error(`a token named '${spec.name}' already exists in ${path}; pick another name`);
    file.tokens.push({
      name: spec.name,
      sha256: hashToken(token),
      ...(spec.dailyBudget === undefined ? {} : { daily_budget: spec.dailyBudget }),
      ...(spec.rivyaKeyEnv === undefined ? {} : { rivya_key_env: spec.rivyaKeyEnv }),
      ...(spec.evolinkKeyEnv === undefined ? {} : { evolink_key_env: spec.evolinkKeyEnv }),
      created_at: new Date().toISOString(),
    });
    await saveTokensFile(path, file);
  });
  return token;
}

/** Runs `work` holding `${path}.lock` (the file itself may not exist yet). */
async function underLock(path: string, work: () => Promise<void>): Promise<void> {
  let release: () => Promise<void>;
  try {
    release = await lock(path, {
      realpath: false,
      retries: { retries: 100, minTimeout: 10, maxTimeout: 200 },
    });
  } catch (err) {
    throw new Error(
      `cannot lock tokens file ${path}: ${(err as Error).message}; if no other 'token create' is running, remove ${path}.lock`,
    );
  }
  try {
    await work();
  } finally {
    await release();
  }
}

/** A stored entry with its hash decoded once, so a request only hashes what it presents. */
export interface StoredToken {
  entry: TokenEntry;
  digest: Buffer;
}

export function storedTokens(entries: readonly TokenEntry[]): StoredToken[] {
  return entries.map((entry) => ({ entry, digest: Buffer.from(entry.sha256, "hex") }));
}

/**
 * Finds the entry for a presented token. The token is hashed first and compared against
 * every stored hash with timingSafeEqual, without stopping at a match, so timing reveals
 * neither which entry matched nor how much of a guess was right.
 */
export function matchToken(
  presented: string,
  stored: readonly StoredToken[],
): TokenEntry | undefined {
  const digest = digestOf(presented);
  let found: TokenEntry | undefined;
  for (const s of stored) {
    if (timingSafeEqual(digest, s.digest) && !found) found = s.entry;
  }
  return found;
}
