import { homedir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildServerConfig, DEFAULT_CONFIRM_ABOVE, envValue } from "../../src/config.js";

describe("configuration", () => {
  it("treats a blank optional bundle field (Claude Desktop's literal placeholder) as unset", () => {
    expect(envValue({ X: "${user_config.output_directory}" }, "X")).toBeUndefined();
    expect(envValue({ X: "  " }, "X")).toBeUndefined();
    expect(envValue({ X: " /videos " }, "X")).toBe("/videos");
    const config = buildServerConfig(
      { RIVYA_MCP_OUTPUT_DIR: "${user_config.output_directory}" },
      {},
      "/work",
    );
    expect(config.outputDir).toBe(join(homedir(), "Movies", "rivya"));
  });

  it("reads allowed folders from the environment, separated by commas or the path delimiter", () => {
    const config = buildServerConfig({ RIVYA_MCP_ALLOW_DIRS: "/a,/b:/c" }, {}, "/work");
    expect(config.allowDirs).toEqual(["/a", "/b", "/c"]);
  });

  it("defaults to the working folder, but never the whole disk or home folder", () => {
    expect(buildServerConfig({}, {}, "/projects/film").allowDirs).toEqual(["/projects/film"]);
    const fromRoot = buildServerConfig({}, {}, "/").allowDirs;
    expect(fromRoot).toContain(join(homedir(), "Downloads"));
    expect(fromRoot).not.toContain("/");
    expect(buildServerConfig({}, {}, homedir()).allowDirs).not.toContain(homedir());
  });

  it("takes numeric limits from the environment and refuses nonsense", () => {
    const config = buildServerConfig({
      RIVYA_MCP_CONFIRM_ABOVE: "150",
      RIVYA_MCP_DAILY_BUDGET: "500",
    });
    expect(config.confirmAbove).toBe(150);
    expect(config.dailyBudget).toBe(500);
    expect(buildServerConfig({}).confirmAbove).toBe(DEFAULT_CONFIRM_ABOVE);
    expect(buildServerConfig({}).dailyBudget).toBeUndefined();
    expect(() => buildServerConfig({ RIVYA_MCP_DAILY_BUDGET: "lots" })).toThrow(
      /RIVYA_MCP_DAILY_BUDGET/,
    );
  });

  it("keeps the ledger under XDG_STATE_HOME when set", () => {
    expect(buildServerConfig({ XDG_STATE_HOME: "/state" }).stateDir).toBe("/state/rivya-mcp");
    expect(buildServerConfig({}).stateDir).toBe(join(homedir(), ".rivya-mcp"));
  });
});
