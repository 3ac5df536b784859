// server.json is what the official MCP registry publishes; it must agree with package.json (the
// registry checks mcpName against the npm package) and with the environment the code reads.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROVIDERS } from "../../src/providers/index.js";
import { VERSION } from "../../src/version.js";

interface EnvVar {
  name: string;
  isRequired?: boolean;
  isSecret?: boolean;
  format?: string;
  default?: string;
  description?: string;
}

const json = (path: string) => JSON.parse(readFileSync(path, "utf8"));
const server = json("server.json");
const pkg = json("package.json");
const manifest = json("manifest.json");
const npmPackage = server.packages[0];
const listed: EnvVar[] = npmPackage.environmentVariables;

const sources = readdirSync("src", { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".ts"))
  .map((f) => readFileSync(join("src", f), "utf8"))
  .join("\n");

/** Every variable name spelled out in src/, read or only named (in a message or a label). */
const namedInSource = [
  ...new Set(
    [...sources.matchAll(/"((?:RIVYA|EVOLINK)_[A-Z0-9_]+)"/g)].map(([, name = ""]) => name),
  ),
];

/** Variables of the platform, not of this server: documented by the OS, not by us. */
const PLATFORM = new Set(["XDG_STATE_HOME"]);

/**
 * Every variable the code reads: each provider's key, base URL and files URL (if any), and
 * the settings in src/.
 */
function variablesTheCodeReads(): Set<string> {
  const names = new Set(
    PROVIDERS.flatMap((p) => [
      p.env.apiKey,
      p.env.baseUrl,
      ...(p.env.filesUrl ? [p.env.filesUrl] : []),
    ]),
  );
  for (const [, name = ""] of sources.matchAll(
    /\b(?:envValue|numberFrom)\([\w.]+,\s*"([A-Z][A-Z0-9_]*)"/g,
  )) {
    if (!PLATFORM.has(name)) names.add(name);
  }
  // The scan above must keep finding the settings: if reading them ever changes shape, this
  // fails instead of the test quietly checking only the providers' variables.
  expect(names).toContain("RIVYA_MCP_STATE_DIR");
  expect(names).toContain("RIVYA_MCP_DATABASE_URL");
  return names;
}

describe("server.json for the MCP registry", () => {
  it("names the npm package at package.json's name, version and mcpName", () => {
    expect(server.$schema).toMatch(/^https:\/\/static\.modelcontextprotocol\.io\/schemas\//);
    expect(server.name).toBe(pkg.mcpName);
    // The registry's pattern: a reverse-DNS namespace, one slash, the server's own name.
    expect(server.name).toMatch(/^io\.github\.[a-zA-Z0-9-]+\/[a-zA-Z0-9._-]+$/);
    expect(server.version).toBe(pkg.version);
    expect(VERSION).toBe(pkg.version);
    expect(server.packages).toHaveLength(1);
    expect(npmPackage).toMatchObject({
      registryType: "npm",
      registryBaseUrl: "https://registry.npmjs.org",
      identifier: pkg.name,
      version: pkg.version,
      transport: { type: "stdio" },
    });
    // `npx rivya-mcp` runs the bin of the package's own name.
    expect(pkg.bin[pkg.name]).toBe("dist/cli.js");
  });

  it("keeps within the registry's limits", () => {
    expect(server.description.length).toBeGreaterThan(0);
    expect(server.description.length).toBeLessThanOrEqual(100);
    expect(server.title.length).toBeLessThanOrEqual(100);
    expect(npmPackage.version).toMatch(/^\d+\.\d+\.\d+(-[\w.]+)?$/);
    for (const v of listed) {
      expect(v.description, v.name).toBeTruthy();
      if (v.format) expect(["string", "number", "boolean", "filepath"]).toContain(v.format);
    }
    expect(new Set(listed.map((v) => v.name)).size).toBe(listed.length);
  });

  it("lists every environment variable the code reads", () => {
    const names = listed.map((v) => v.name);
    for (const name of variablesTheCodeReads()) expect(names, name).toContain(name);
  });

  it("lists no variable the code does not know of", () => {
    for (const { name } of listed) expect(namedInSource).toContain(name);
  });

  it("marks every provider key secret and needs none of them: either provider's is enough", () => {
    const byName = new Map(listed.map((v) => [v.name, v]));
    for (const p of PROVIDERS) expect(byName.get(p.env.apiKey)?.isSecret, p.env.apiKey).toBe(true);
    expect(listed.filter((v) => v.isRequired).map((v) => v.name)).toEqual([]);
    expect(byName.get("RIVYA_MCP_DATABASE_URL")?.isSecret).toBe(true);
  });

  it("gives the defaults the code uses", () => {
    const byName = new Map(listed.map((v) => [v.name, v]));
    for (const p of PROVIDERS) {
      expect(byName.get(p.env.baseUrl)?.default, p.env.baseUrl).toBe(p.env.defaultBaseUrl);
    }
  });
});

describe("manifest.json for the MCPB bundle", () => {
  const env: Record<string, string> = manifest.server.mcp_config.env;

  it("passes every provider's key, and only variables the code knows of", () => {
    for (const p of PROVIDERS) expect(Object.keys(env), p.env.apiKey).toContain(p.env.apiKey);
    for (const name of Object.keys(env)) expect(namedInSource).toContain(name);
  });

  it("asks for each key as a secret and fills every placeholder from user_config", () => {
    for (const [name, value] of Object.entries(env)) {
      const field = /^\$\{user_config\.(\w+)\}$/.exec(value)?.[1];
      expect(field, name).toBeDefined();
      expect(manifest.user_config[field as string], name).toBeDefined();
      if (name.endsWith("_API_KEY"))
        expect(manifest.user_config[field as string].sensitive).toBe(true);
    }
  });
});
