/**
 * Fetching a reference URL: every way a link can fail says why and what to do (issue 9,
 * item 4), and the address guard knows every IPv6 spelling of a private address (issue 10,
 * finding 14). Real https servers on loopback play the remote sites; names resolve through
 * the injectable lookup, so no test touches real DNS.
 */
import { createServer as createHttps, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ToolError } from "../src/errors/tool-error.js";
import { createLogger } from "../src/log.js";
import { classify } from "../src/mcp/error-boundary.js";
import { isPrivateAddress, type SafeFetchOptions, safeFetch } from "../src/net/safe-fetch.js";
import { pngBytes } from "./fixtures/images.js";
import { harnessPerTest, textOf } from "./helpers/harness.js";
import { selfSignedCert } from "./helpers/self-signed.js";

const harness = harnessPerTest();
const tls = selfSignedCert(["DNS:site.test", "IP:127.0.0.1"]);
let site: Server;
let port = 0;
let closedPort = 0;

const listen = (server: Server) =>
  new Promise<number>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );

beforeAll(async () => {
  site = createHttps(tls, (req, res) => {
    if (req.url === "/hang") return; // accepts, never answers
    if (req.url === "/missing") return void res.writeHead(404).end("no");
    if (req.url === "/busy") return void res.writeHead(503).end("busy");
    if (req.url === "/endless") {
      res.writeHead(200, { "content-type": "image/png" }); // no length: cut off while streaming
      const chunk = Buffer.alloc(64 * 1024);
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
      };
      res.on("drain", pump);
      return void pump();
    }
    res.writeHead(200, { "content-type": "image/png" }).end(pngBytes());
  });
  port = await listen(site);
  const closed = createHttps(tls);
  closedPort = await listen(closed);
  await new Promise((resolve) => closed.close(resolve));
});

afterAll(() => {
  site.closeAllConnections();
  site.close();
});

/** site.test is this loopback server; any other name does not exist. */
function options(extra: Partial<SafeFetchOptions> = {}): SafeFetchOptions {
  return {
    maxBytes: 1024 * 1024,
    blockPrivate: true,
    signal: new AbortController().signal,
    tls: { ca: tls.cert.toString() },
    isPrivate: (a) => a !== "127.0.0.1" && isPrivateAddress(a),
    lookup: (host, _o, cb) =>
      host === "site.test"
        ? cb(null, [{ address: "127.0.0.1", family: 4 }])
        : cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" }), []),
    timeouts: { connectMs: 2000, headersMs: 300, bodyMs: 300 },
    ...extra,
  };
}

async function failure(url: string, extra: Partial<SafeFetchOptions> = {}) {
  const err = await safeFetch(url, options(extra)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ToolError);
  return classify(err);
}

describe("issue 9 item 4: a reference URL that cannot be fetched says why", () => {
  it("fetches a good link (the fixture works)", async () => {
    const body = await safeFetch(`https://site.test:${port}/ok.png`, options());
    expect(body.bytes.equals(pngBytes())).toBe(true);
  });

  it("host not found", async () => {
    const c = await failure(`https://no-such-host.test:${port}/a.png`);
    expect(c.message).toContain("url (no-such-host.test");
    expect(c.message).toContain("was not found (no DNS record)");
    expect(c.message).toContain("Check the link for typos, or upload the file as base64");
    expect(c).toMatchObject({ category: "invalid_request", retryable: false });
  });

  it("connection refused", async () => {
    const c = await failure(`https://site.test:${closedPort}/a.png`);
    expect(c.message).toContain("refused the connection");
    expect(c.message).toContain("Try again later, or upload the file as base64");
    expect(c).toMatchObject({ category: "upstream_unavailable", retryable: true });
  });

  it("timed out", async () => {
    const c = await failure(`https://site.test:${port}/hang`);
    expect(c.message).toContain("did not answer within 0.3 s");
    expect(c).toMatchObject({ category: "upstream_unavailable", retryable: true });
  });

  it("HTTP status: 404 is the link's problem, 503 may pass", async () => {
    const missing = await failure(`https://site.test:${port}/missing`);
    expect(missing.message).toContain("answered HTTP 404: there is no file at that address");
    expect(missing).toMatchObject({ category: "invalid_request", retryable: false });
    const busy = await failure(`https://site.test:${port}/busy`);
    expect(busy.message).toContain("answered HTTP 503");
    expect(busy).toMatchObject({ category: "upstream_unavailable", retryable: true });
  });

  it("too large: cut off while streaming", async () => {
    const c = await failure(`https://site.test:${port}/endless`, { maxBytes: 200_000 });
    expect(c.message).toContain("larger than 200000 bytes");
    expect(c.category).toBe("invalid_request");
  });

  it("through the tool: a specific message, no internal error, no stack in the log", async () => {
    const lines: string[] = [];
    const t = await harness({
      config: { blockPrivateUrls: false },
      log: createLogger({ level: "debug", write: (line) => lines.push(line) }),
    });
    const r = await t.call("upload_reference", {
      model: "kling-3-0",
      url: `https://127.0.0.1:${closedPort}/a.png`,
    });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain(`url (127.0.0.1:${closedPort}) refused the connection`);
    expect(textOf(r)).not.toContain("internal error");
    expect(lines.join("\n")).not.toMatch(/"level":"error"|\n\s+at /);
  });
});

describe("finding 14: every IPv6 form of a private address is refused", () => {
  it.each([
    ["::ffff:7f00:1", "IPv4-mapped loopback, hex"],
    ["::ffff:127.0.0.1", "IPv4-mapped loopback, dotted"],
    ["0:0:0:0:0:ffff:a9fe:a9fe", "IPv4-mapped metadata, long form"],
    ["::ffff:808:808", "IPv4-mapped, even of a public address"],
    ["::7f00:1", "IPv4-compatible loopback"],
    ["::127.0.0.1", "IPv4-compatible, dotted"],
    ["::a00:1", "IPv4-compatible 10.0.0.1"],
    ["::ffff:0:7f00:1", "IPv4-translated"],
    ["64:ff9b:1::a00:1", "local-use NAT64"],
    ["64:ff9b::7f00:1", "well-known NAT64"],
  ])("%s (%s)", (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it("public addresses still pass", () => {
    for (const address of ["8.8.8.8", "1.1.1.1", "2606:4700::1111", "64:ff9b:2::1"]) {
      expect(isPrivateAddress(address)).toBe(false);
    }
  });

  it("a URL with a hex-mapped loopback literal is refused before connecting", async () => {
    const c = await failure(`https://[::ffff:7f00:1]:${port}/a.png`, {
      isPrivate: isPrivateAddress,
    });
    expect(c.message).toContain("private, loopback or reserved address");
  });
});
