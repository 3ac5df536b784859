// The README's install snippets are copied verbatim by people: they must parse, start this
// package, and name the variables the server reads, in the shape each host expects.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PROVIDERS } from "../../src/providers/index.js";

interface StdioEntry {
  type?: string;
  command: string;
  args: string[];
  env: Record<string, string>;
}

const pkg = JSON.parse(readFileSync("package.json", "utf8"));
const readme = readFileSync("README.md", "utf8");
const install = readme.slice(readme.indexOf("## Install\n"), readme.indexOf("## Configuration\n"));
const jsonBlocks = [...install.matchAll(/```json\n([\s\S]*?)```/g)].map(([, body = ""]) =>
  JSON.parse(body),
);
const keyEnv = PROVIDERS.find((p) => p.id === "rivya")?.env.apiKey;

function expectStartsThisPackage(entry: StdioEntry | undefined) {
  expect(entry).toBeDefined();
  expect(entry?.command).toBe("npx");
  expect(entry?.args).toEqual(["-y", pkg.name]);
  expect(Object.keys(entry?.env ?? {})).toEqual([keyEnv]);
}

describe("README install snippets", () => {
  it("Claude Code: the name comes before --env, the server after --", () => {
    const line = /^claude mcp add .*$/m.exec(install)?.[0];
    expect(line).toBe(`claude mcp add rivya --env ${keyEnv}=rvya_sk_... -- npx -y ${pkg.name}`);
  });

  it("Claude Desktop and Cursor: an mcpServers entry", () => {
    const desktop = jsonBlocks.find((b) => b.mcpServers);
    expectStartsThisPackage(desktop?.mcpServers.rivya);
  });

  it("VS Code: a stdio entry under servers, its key from a password input", () => {
    const vscode = jsonBlocks.find((b) => b.servers);
    const entry: StdioEntry | undefined = vscode?.servers.rivya;
    expectStartsThisPackage(entry);
    expect(entry?.type).toBe("stdio");
    const [input] = vscode.inputs;
    expect(input).toMatchObject({ type: "promptString", password: true });
    expect(entry?.env[keyEnv as string]).toBe(`\${input:${input.id}}`);
  });

  it("the registry name is package.json's mcpName", () => {
    expect(install).toContain(`\`${pkg.mcpName}\``);
  });
});
