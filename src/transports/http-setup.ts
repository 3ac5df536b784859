/**
 * What the CLI settles before hosted mode starts, so a mistake stops the process with a
 * clear message instead of surfacing on the first request: flag values, the tokens file,
 * and every personal Rivya key it names (which the logger must then know to scrub).
 */
import { resolve } from "node:path";
import { type HttpFlags, type HttpOptions, httpOptionsFrom } from "./http-options.js";
import { personalKeys, type Team } from "./people.js";
import { loadTokensFile } from "./tokens.js";

export interface HostedSetup {
  options: HttpOptions;
  /** The tokens file with its personal keys resolved; undefined without --tokens-file. */
  tokens: Team | undefined;
  /** Personal keys from the environment, for the logger's scrub list. */
  secrets: string[];
}

export async function prepareHosted(
  flags: HttpFlags,
  port: number,
  host: string,
  env: NodeJS.ProcessEnv,
): Promise<HostedSetup> {
  const file = flags["tokens-file"] ? resolve(flags["tokens-file"]) : undefined;
  const options = httpOptionsFrom(flags, port, host);
  const tokens = file ? await loadTokensFile(file) : undefined;
  if (tokens && tokens.tokens.length === 0)
    throw new Error(`tokens file ${file} has no tokens; add one with 'rivya-mcp token create'`);
  const team = tokens
    ? { entries: tokens.tokens, keys: personalKeys(tokens.tokens, env) }
    : undefined;
  return { options, tokens: team, secrets: [...(team?.keys.values() ?? [])] };
}
