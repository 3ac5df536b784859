/**
 * Finding 11 of issue 10: an upstream that echoes the API key back — in an error's
 * requestId, in an x-request-id header, in a failed task's message, in a finished task's
 * result URLs — must not get it into a tool result, a log line or the ledger. The stub below
 * is a tiny Rivya that does exactly that with whatever key it is sent.
 */
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.js";
import { harnessPerTest, textOf } from "../helpers/harness.js";

let stub: Server;
let stubUrl = "";

function task(id: string, key: string) {
  const base = { id, model: "kling-3-0", reserved_credits: 90, created_at: "2026-01-01T00:00:00Z" };
  if (id === "task_ok")
    return {
      ...base,
      status: "succeeded",
      final_credits: 90,
      result: {
        primary_url: `https://cdn.test/v.mp4?sig=${key}`,
        urls: [`https://cdn.test/v.mp4?sig=${key}`],
      },
    };
  if (id === "task_fail")
    return {
      ...base,
      status: "failed",
      final_credits: 0,
      error: { code: "generation_failed", message: `worker ${key} crashed` },
    };
  return { ...base, id: `${id}`, status: "queued", final_credits: 0 };
}

function send(res: ServerResponse, status: number, body: unknown, headers = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(body === undefined ? "" : JSON.stringify(body));
}

/** A Rivya that leaks: every answer carries the caller's key somewhere. */
async function leakyRivya(req: IncomingMessage, res: ServerResponse) {
  const key = (req.headers.authorization ?? "").replace(/^Bearer /, "");
  let body = "";
  for await (const chunk of req) body += chunk;
  const path = req.url ?? "";
  if (path === "/api/v1/credits") return send(res, 200, { current_credits: 1000 });
  if (path === "/api/v1/generations" && req.method === "POST") {
    const prompt = (JSON.parse(body) as { prompt: string }).prompt;
    if (prompt.startsWith("refuse")) {
      const error = { code: "validation_failed", message: `bad key ${key}`, requestId: key };
      return send(res, 400, { error }, { "x-request-id": key });
    }
    if (prompt.startsWith("busy")) return send(res, 409, undefined, { "x-request-id": key });
    if (prompt.startsWith("odd")) return send(res, 500, { error: { code: `odd_${key}` } });
    return send(res, 201, task(prompt.startsWith("fail") ? "task_fail" : "task_ok", key));
  }
  const id = decodeURIComponent(path.split("/").pop() ?? "");
  return send(res, 200, task(id, key));
}

beforeAll(async () => {
  stub = createServer((req, res) => void leakyRivya(req, res));
  await new Promise<void>((resolve) => stub.listen(0, "127.0.0.1", resolve));
  stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
});

afterAll(() => {
  stub.closeAllConnections();
  stub.close();
});

const harness = harnessPerTest();

/** Whether the key (or anything shaped like a Rivya key) is in `value`. */
const leaks = (value: unknown, key: string) => {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.includes(key) || /rvya_sk_(?!\[redacted\])/.test(text);
};

describe("finding 11: secrets echoed by the upstream never reach results, logs or the ledger", () => {
  it("in each place the stub echoes it", async () => {
    const lines: string[] = [];
    // No secrets given to the logger: its own last-line scrubbing must not hide a leak.
    const t = await harness({
      upstreamUrl: stubUrl,
      log: createLogger({ level: "debug", write: (line) => lines.push(line) }),
    });
    const gen = (prompt: string) => t.call("generate_video", { model: "kling-3-0", prompt });
    const submitThenGet = async (prompt: string, taskId: string) => {
      await gen(prompt);
      return t.call("get_task", { task_id: taskId });
    };
    const places = {
      "error requestId": await gen("refuse this one"),
      "x-request-id header": await gen("busy now"),
      "error code": await gen("odd one"),
      "result URLs": await submitThenGet("ok then", "task_ok"),
      "task error message": await submitThenGet("fail please", "task_fail"),
    };
    const ledger = await readFile(join(t.dir, "state", "ledger.jsonl"), "utf8");
    const leaked = Object.entries({ ...places, logs: lines.join("\n"), ledger })
      .filter(([, value]) => leaks(value, t.apiKey))
      .map(([where]) => where);
    expect(leaked).toEqual([]);
    // What was echoed is still shown, only cleaned.
    expect(textOf(places["error requestId"])).toContain("Rivya request [redacted]");
    expect(textOf(places["x-request-id header"])).toContain("[redacted]");
    expect(textOf(places["result URLs"])).toContain("https://cdn.test/v.mp4?sig=[redacted]");
    expect(textOf(places["task error message"])).toContain("worker [redacted] crashed");
    expect(ledger).toContain("task_fail");
  });
});
