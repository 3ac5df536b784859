// Regenerates the README's Tools section from the tool schemas and the model tables.
import { readFileSync, writeFileSync } from "node:fs";
import { renderToolsMarkdown, replaceToolsSection } from "../src/mcp/docs.js";
import { describeTools } from "../src/mcp/publish.js";
import { MODELS } from "../src/providers/index.js";

const readme = readFileSync("README.md", "utf8");
writeFileSync(
  "README.md",
  replaceToolsSection(readme, renderToolsMarkdown(describeTools(), MODELS)),
);
