/**
 * What the CLI settles before hosted mode starts, so a mistake stops the process with a
 * clear message instead of surfacing on the first request: flag values, the tokens file,
 * and every personal Rivya key it names (which the logger must then know to scrub).
 */
import { resolve } from "node:path";
import { type HttpFlags, type HttpOptions, httpOptionsFrom } from "./http-options.js";
import { personalKeys } from "./people.js";
import { loadTokensFile, type TokensFile } from "./tokens.js";

export interface HostedSetup {
  options: HttpOptions;
  tokens: TokensFile | undefined;
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
  const options = httpOptionsFrom(flags, port, host, file);
  const tokens = file ? await loadTokensFile(file) : undefined;
  if (tokens && tokens.tokens.length === 0)
    throw new Error(`tokens file ${file} has no tokens; add one with 'rivya-mcp token create'`);
  return { options, tokens, secrets: [...personalKeys(tokens, env).values()] };
}
