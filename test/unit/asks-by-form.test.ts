/** One rule for whether a client can be asked with a form, for both protocol generations. */
import { describe, expect, it } from "vitest";
import { asksByForm } from "../../src/mcp/envelope.js";

describe("asksByForm", () => {
  it.each([
    ["form declared", { elicitation: { form: {} } }, true],
    ["bare elicitation (before modes: form)", { elicitation: {} }, true],
    ["form and url", { elicitation: { form: {}, url: {} } }, true],
    ["url only", { elicitation: { url: {} } }, false],
    ["no elicitation", { roots: {} }, false],
    ["no capabilities", undefined, false],
  ])("%s", (_name, caps, expected) => {
    expect(asksByForm(caps)).toBe(expected);
  });
});
