/**
 * Structured logs, one JSON object per line on stderr (stdout is the MCP protocol in stdio
 * mode). Known secrets are scrubbed from every line as a last line of defence.
 *
 * Writing is cheap because a hosted server logs a line per request: lines are gathered and
 * written together once per turn of the event loop (one write instead of one per line; on
 * Linux a write to a pipe or file is a blocking system call), warnings and errors at once
 * with whatever was waiting before them, and whatever is left when the process exits.
 */
import { writeSync } from "node:fs";

export type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  level?: Level;
  secrets?: readonly string[];
  /** Where each line goes; default: stderr, gathered per event-loop turn (see above). */
  write?: (line: string) => void;
}

export function createLogger(opts: LoggerOptions = {}, base: Record<string, unknown> = {}): Logger {
  const min = ORDER[opts.level ?? "info"];
  const secrets = (opts.secrets ?? []).filter((s) => s.length >= 8);
  return logger(min, secrets, opts.write ?? stderrLine, base);
}

/** A child shares its parent's settings: one object per call costs next to nothing. */
function logger(
  min: number,
  secrets: readonly string[],
  write: (line: string, urgent?: boolean) => void,
  base: Record<string, unknown>,
): Logger {
  const emit = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < min) return;
    let line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...base, ...fields });
    for (const secret of secrets)
      if (line.includes(secret)) line = line.split(secret).join("[redacted]");
    write(line, ORDER[level] >= ORDER.warn);
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (fields) => logger(min, secrets, write, { ...base, ...fields }),
  };
}

let pending = "";
let scheduled = false;
let hooked = false;

function flush(): void {
  scheduled = false;
  if (!pending) return;
  const out = pending;
  pending = "";
  process.stderr.write(out);
}

function stderrLine(line: string, urgent = false): void {
  pending += `${line}\n`;
  if (!hooked) {
    hooked = true;
    // process.exit() skips the next turn: write what is left, synchronously, on the way out.
    process.once("exit", () => {
      if (!pending) return;
      try {
        writeSync(2, pending);
      } catch {
        // stderr closed: nowhere left to say it.
      }
      pending = "";
    });
  }
  if (urgent) flush();
  else if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
}

/** A logger that drops everything, for tests and embedded use. */
export const silentLogger: Logger = createLogger({ write: () => {} });
