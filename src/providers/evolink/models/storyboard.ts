/**
 * What both Kling V3 tables share (evolink-api.md §4, §6): the settings EvoLink names, and
 * storyboards. Agents write a storyboard as `shots: [{prompt, duration}]` (EvoLink's
 * `multi_shot` + `customize`) or `auto_shots: true` (`intelligence`); the hook checks every
 * rule EvoLink states before anything is paid, naming the shot and the sum.
 */
import type { ModelTable, ParamSpec } from "../../../catalog/types.js";

const seconds = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

export const MAX_SHOTS = 6;
export const MAX_SHOT_PROMPT = 512;

export const duration: ParamSpec = {
  key: "duration",
  type: "select",
  required: false,
  default: "5",
  options: seconds(3, 15),
  description: "Duration in seconds; the price is per second",
};

export const quality: ParamSpec = {
  key: "quality",
  type: "select",
  required: false,
  default: "720p",
  options: ["720p", "1080p", "4k"],
  description:
    "720p (std) or 1080p (pro, × 1.333); 4k has no published price: it needs max_credits and the person's yes",
};

export const sound: ParamSpec = {
  key: "sound",
  type: "select",
  required: false,
  default: "off",
  options: ["off", "on"],
  description: "Generate audio (on: × 1.5, × 2.0 together with 1080p)",
};

export const negativePrompt: ParamSpec = {
  key: "negative_prompt",
  type: "text",
  required: false,
  // The API schema sets no limit; the product page says 2500.
  maxLength: 2500,
  description: "What the video should avoid",
};

export const shots: ParamSpec = {
  key: "shots",
  type: "list",
  required: false,
  minItems: 1,
  maxItems: MAX_SHOTS,
  fields: [
    {
      key: "prompt",
      type: "text",
      required: true,
      maxLength: MAX_SHOT_PROMPT,
      description: "What this shot shows",
    },
    {
      key: "duration",
      type: "number",
      required: true,
      min: 1,
      max: 15,
      description: "Shot length in whole seconds",
    },
  ],
  description: "A storyboard timed by you: the shots in order (EvoLink multi_shot, customize)",
};

export const autoShots: ParamSpec = {
  key: "auto_shots",
  type: "select",
  required: false,
  default: "false",
  options: ["false", "true"],
  description: "Let the model cut the prompt into shots itself (EvoLink multi_shot, intelligence)",
};

export const STORYBOARD_RULES = [
  "shots and auto_shots: true cannot be used together.",
  `shots: 1 to ${MAX_SHOTS}, each a whole number of seconds (at least 1), adding up exactly to duration.`,
];

interface Shot {
  prompt: string;
  duration: number;
}

/** The rules across settings; one sentence per problem, each naming the shot or the sum. */
export function storyboardProblems(settings: Record<string, unknown>): string[] {
  const list = settings.shots as Shot[] | undefined;
  if (!list) return [];
  const problems: string[] = [];
  if (settings.auto_shots === true) {
    problems.push(
      "params.shots and params.auto_shots: true cannot be used together: shots is a storyboard you time yourself, auto_shots lets the model cut the prompt into shots. Keep one.",
    );
  }
  list.forEach((s, i) => {
    if (!Number.isInteger(s.duration))
      problems.push(
        `params.shots[${i}] (shot ${i + 1}) lasts ${s.duration} s; EvoLink takes whole seconds.`,
      );
  });
  const total = settings.duration as number;
  const sum = list.reduce((n, s) => n + s.duration, 0);
  if (sum !== total) {
    const each = list.map((s, i) => `shot ${i + 1}: ${s.duration} s`).join(", ");
    problems.push(
      `The shot durations add up to ${sum} s (${each}) but duration is ${total} s; make them equal.`,
    );
  }
  return problems;
}

/** The parts of a Kling V3 table both models share. */
export const KLING_V3_BASE = {
  category: "video",
  price: { billing: "PER_SECOND", credits: 5.4 },
  maxPromptLength: 2500,
  rules: STORYBOARD_RULES,
  validate: storyboardProblems,
} satisfies Partial<ModelTable>;
