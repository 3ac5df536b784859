/**
 * Several thousand hostile requests against a running hosted server: malformed bodies,
 * oversized uploads, forged sessions, foreign Host/Origin, bad tokens, and SSRF attempts
 * through upload_reference. Nothing may crash it, a client's mistake is never a 5xx, and
 * no SSRF attempt may open a connection to (or read a byte from) an internal address.
 */
import { Agent, type ServerResponse } from "node:http";
import { createServer as createHttps, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { URL_FETCHES_PER_PERSON } from "../src/transports/people.js";
import { pngBytes } from "./fixtures/images.js";
import {
  call,
  type HttpHarness,
  INIT,
  out,
  type RawResponse,
  rawRequest,
  startHttpHarness,
  textOf,
} from "./helpers/http-harness.js";
import { selfSignedCert } from "./helpers/self-signed.js";

// The test network: names resolve without DNS, and 127.0.0.3 plays a public host (Linux
// routes all of 127/8 to loopback). Everything else keeps the production address rules.
const net = vi.hoisted(() => ({
  names: {} as Record<string, string>,
  ca: "",
}));
vi.mock("../src/net/safe-fetch.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../src/net/safe-fetch.js")>();
  return {
    ...real,
    safeFetch: (url: string, opts: Parameters<typeof real.safeFetch>[1]) =>
      real.safeFetch(url, {
        ...opts,
        tls: { ca: net.ca },
        isPrivate: (a) => a !== "127.0.0.3" && real.isPrivateAddress(a),
        lookup: (host, _o, cb) => {
          const address = net.names[host.toLowerCase()];
          if (!address)
            return cb(Object.assign(new Error(`ENOTFOUND ${host}`), { code: "ENOTFOUND" }), []);
          cb(null, [{ address, family: address.includes(":") ? 6 : 4 }]);
        },
      }),
  };
});

let h: HttpHarness;
let internal: Server;
let publicSite: Server;
const internalHits = { connections: 0, bytes: 0 };
/** The public site's slow image: how many fetches of it run at once, at most. */
const slowFetches = { running: 0, most: 0 };

function slowImage(res: ServerResponse): void {
  slowFetches.running += 1;
  slowFetches.most = Math.max(slowFetches.most, slowFetches.running);
  setTimeout(() => {
    slowFetches.running -= 1;
    res.writeHead(200, { "content-type": "image/png" }).end(pngBytes());
  }, 300);
}

function listen(server: Server, host: string): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, host, () => resolve((server.address() as AddressInfo).port)),
  );
}

beforeAll(async () => {
  const tls = selfSignedCert([
    "DNS:public.test",
    "DNS:internal.test",
    "IP:127.0.0.1",
    "IP:127.0.0.3",
  ]);
  net.ca = tls.cert.toString();
  // The internal service an attacker wants: it counts every connection and byte it serves.
  internal = createHttps(tls, (_req, res) => {
    const body = pngBytes();
    internalHits.bytes += body.length;
    res.end(body);
  });
  internal.on("connection", () => internalHits.connections++);
  const internalPort = await listen(internal, "127.0.0.1");
  net.names = {
    "internal.test": "127.0.0.1",
    "metadata.test": "169.254.169.254",
    "mapped.test": "::ffff:127.0.0.1",
    "public.test": "127.0.0.3",
  };
  publicSite = createHttps(tls, (req, res) => {
    if (req.url === "/slow.png") return void slowImage(res);
    const to: Record<string, string> = {
      "/to-ip": `https://127.0.0.1:${internalPort}/secret.png`,
      "/to-name": `https://internal.test:${internalPort}/secret.png`,
      "/to-metadata": "https://169.254.169.254/latest/meta-data/",
    };
    const target = to[req.url ?? ""];
    if (target) return void res.writeHead(302, { location: target }).end();
    res.writeHead(200, { "content-type": "image/png" }).end(pngBytes());
  });
  const publicPort = await listen(publicSite, "127.0.0.3");
  Object.assign(net, { internalPort, publicPort });
  h = await startHttpHarness({
    people: [{ name: "alice" }],
    http: { ratePerSecond: 0, maxBodyBytes: 1024 * 1024 },
  });
}, 30_000);

afterAll(async () => {
  await h.close();
  internal.closeAllConnections();
  publicSite.closeAllConnections();
  await Promise.all([
    new Promise((r) => internal.close(r)),
    new Promise((r) => publicSite.close(r)),
  ]);
});

const agent = new Agent({ keepAlive: true, maxSockets: 32 });
const send = (
  method: string,
  headers: Record<string, string>,
  body?: string | Buffer[],
  path = "/mcp",
) => rawRequest(h.url, method, headers, body, { path, agent });

// Set once a session exists (beforeAll below); the cases read them when they run.
let auth: Record<string, string> = {};
let json: Record<string, string> = {};
let inSession: Record<string, string> = {};
const TOOLS_LIST = '{"jsonrpc":"2.0","id":1,"method":"tools/list"}';

/** Each bad request and the statuses it may get (-1: the socket was cut, as for an early 413). */
const badRequests: [string, () => Promise<RawResponse>, number[]][] = [
  ["bad JSON", () => send("POST", json, "{not json"), [400]],
  ["JSON scalar", () => send("POST", json, "true"), [400]],
  ["not JSON-RPC", () => send("POST", inSession, '{"x":1}'), [400]],
  ["empty body", () => send("POST", json, ""), [400]],
  ["deep nesting", () => send("POST", json, `${"[".repeat(5000)}${"]".repeat(5000)}`), [400]],
  [
    "declared oversize",
    () => send("POST", { ...json, "content-length": String(50 * 1024 * 1024) }),
    [413, -1],
  ],
  [
    "wrong session id",
    () => send("POST", { ...inSession, "mcp-session-id": "no-such-session" }, TOOLS_LIST),
    [404],
  ],
  ["missing session id", () => send("POST", json, TOOLS_LIST), [400]],
  [
    "bad protocol version",
    () => send("POST", { ...inSession, "mcp-protocol-version": "1999-01-01" }, TOOLS_LIST),
    [400],
  ],
  ["wrong Accept", () => send("POST", { ...inSession, accept: "text/html" }, TOOLS_LIST), [406]],
  [
    "wrong Content-Type",
    () => send("POST", { ...inSession, "content-type": "text/plain" }, TOOLS_LIST),
    [415],
  ],
  [
    "oversized batch",
    () =>
      send(
        "POST",
        inSession,
        JSON.stringify(
          Array.from({ length: 101 }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "ping" })),
        ),
      ),
    [400],
  ],
  ["bad Host", () => send("POST", { ...json, host: "attacker.example" }, INIT), [403]],
  ["bad Origin", () => send("POST", { ...json, origin: "https://attacker.example" }, INIT), [403]],
  ["bad token", () => send("POST", { ...json, authorization: "Bearer rmcp_guess" }, INIT), [401]],
  ["no token", () => send("POST", { "content-type": "application/json" }, INIT), [401]],
  ["GET without session", () => send("GET", { ...auth, accept: "text/event-stream" }), [400]],
  [
    "GET with a body",
    // Declared: Node's client sends a GET body without a length, which is no body at all.
    () => send("GET", { ...auth, "content-type": "application/json", "content-length": "2" }, "{}"),
    [400],
  ],
  ["DELETE unknown session", () => send("DELETE", { ...auth, "mcp-session-id": "nope" }), [404]],
  ["PUT", () => send("PUT", json, "{}"), [405]],
  ["unknown path", () => send("GET", auth, undefined, "/admin"), [404]],
  [
    "garbage tool call",
    () =>
      send(
        "POST",
        inSession,
        '{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"generate_video","arguments":{"model":[],"prompt":{}}}}',
      ),
    [200],
  ],
];

/** Statuses seen across the whole run, for the log and the no-5xx check. */
const counts = new Map<string, number>();
const count = (status: number) => counts.set(String(status), (counts.get(String(status)) ?? 0) + 1);
/** Thousands in all, 24 at a time per case. */
const PER_CASE = Math.ceil(3300 / badRequests.length);

describe("hostile input", () => {
  beforeAll(async () => {
    auth = { authorization: `Bearer ${h.tokens.alice}` };
    json = {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...auth,
    };
    expect((await send("POST", json, INIT)).status).toBe(200);
    // A real session, so the session-level checks (protocol version, batch size) are reached.
    const client = await h.connect(h.tokens.alice);
    const sid = (client.transport as unknown as { sessionId: string }).sessionId;
    inSession = { ...json, "mcp-session-id": sid, "mcp-protocol-version": "2025-06-18" };
  });

  it.each(badRequests)(
    `%s, ${PER_CASE} times: each gets its 4xx, never a 5xx or a stack`,
    async (name, run, allowed) => {
      const failures: string[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: 24 }, async () => {
          while (next++ < PER_CASE) {
            const res = await run();
            count(res.status);
            if (!allowed.includes(res.status))
              failures.push(`${name}: ${res.status} ${res.body.slice(0, 120)}`);
            if (/\n\s+at .+:\d+:\d+/.test(res.body)) failures.push(`${name}: stack in body`);
          }
        }),
      );
      expect(failures.slice(0, 10)).toEqual([]);
    },
    30_000,
  );

  it("real oversized uploads, streamed without a length, are cut off at the limit", async () => {
    for (let i = 0; i < 5; i++) {
      const res = await send(
        "POST",
        json,
        Array.from({ length: 48 }, () => Buffer.alloc(64 * 1024, 0x20)),
      );
      count(res.status);
      expect([413, -1], `streamed oversize: ${res.status}`).toContain(res.status);
    }
  }, 30_000);

  it("after all that, no 5xx was ever answered and the server lives on", async () => {
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    console.log(
      `[hostile] ${total} requests, statuses: ${JSON.stringify(Object.fromEntries(counts))}`,
    );
    expect([...counts.keys()].filter((s) => Number(s) >= 500)).toEqual([]);
    // Still alive and still useful.
    expect((await send("GET", {}, undefined, "/healthz")).status).toBe(200);
    const c = await h.connect(h.tokens.alice);
    expect((await call(c, "list_models")).isError).toBeFalsy();
  });

  /** `{internal}` and `{public}` stand for the two test servers' ports. */
  const ssrfAttempts = [
    "https://127.0.0.1:{internal}/secret.png",
    "https://[::1]:{internal}/",
    "https://[::ffff:127.0.0.1]:{internal}/",
    "https://2130706433:{internal}/",
    "https://0x7f.1:{internal}/",
    "https://localhost:{internal}/",
    "https://169.254.169.254/latest/meta-data/",
    "https://[fd00:ec2::254]/latest/meta-data/",
    "https://10.0.0.1/",
    "https://metadata.test/latest/meta-data/",
    "https://internal.test:{internal}/secret.png",
    "https://mapped.test:{internal}/secret.png",
    "https://public.test:{public}/to-ip",
    "https://public.test:{public}/to-name",
    "https://public.test:{public}/to-metadata",
    "http://public.test:{public}/plain-http",
    "file:///etc/passwd",
  ];
  const ports = () => net as unknown as { internalPort: number; publicPort: number };

  it.each(ssrfAttempts)(
    "SSRF through upload_reference is refused before any connection: %s",
    async (template) => {
      const { internalPort, publicPort } = ports();
      const url = template
        .replace("{internal}", String(internalPort))
        .replace("{public}", String(publicPort));
      const c = await h.connect(h.tokens.alice);
      for (let round = 0; round < 4; round++) {
        const r = await call(c, "upload_reference", { model: "kling-3-0", url });
        expect(r.isError, `${url}: ${textOf(r)}`).toBe(true);
        expect(textOf(r), url).toMatch(/private, loopback or reserved|must use https/);
      }
    },
    30_000,
  );

  it("SSRF: the internal service saw no connection, and the same path reaches a public host", async () => {
    expect(internalHits).toEqual({ connections: 0, bytes: 0 });
    const { publicPort } = ports();
    const c = await h.connect(h.tokens.alice);
    // The control: the zeros above mean refusal, not a path that never fetches.
    const ok = await call(c, "upload_reference", {
      model: "kling-3-0",
      url: `https://public.test:${publicPort}/ok.png`,
    });
    expect(ok.isError, textOf(ok)).toBeFalsy();
    expect(out(ok).source).toContain("public.test");
  }, 30_000);

  it("finding 7: one person's URL uploads are fetched at most URL_FETCHES_PER_PERSON at a time", async () => {
    const { publicPort } = net as unknown as { publicPort: number };
    const c = await h.connect(h.tokens.alice);
    const url = `https://public.test:${publicPort}/slow.png`;
    // One upload first: the mocked fetch module loads once, not in the middle of the burst.
    const warm = await call(c, "upload_reference", { model: "kling-3-0", url });
    expect(warm.isError, textOf(warm)).toBeFalsy();
    const results = await Promise.all(
      Array.from({ length: 6 }, () => call(c, "upload_reference", { model: "kling-3-0", url })),
    );
    for (const r of results) expect(r.isError, textOf(r)).toBeFalsy();
    // Six calls at once, each fetch held 300 ms by the site: the rest waited their turn.
    expect(slowFetches.most).toBe(URL_FETCHES_PER_PERSON);
  }, 30_000);
});
