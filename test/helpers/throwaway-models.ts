/**
 * Throwaway model tables of a made-up second provider ("acme"), for tests that need more
 * models than the catalogue has: a storyboard model with a list param and cross-field rules,
 * and any number of plain ones with settings the Rivya tables do not use.
 */
import type { ModelTable } from "../../src/catalog/types.js";

const seconds = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

interface Shot {
  prompt: string;
  duration: number;
}

/** "durations add up to duration" and "no shot outlasts the video", in sentences naming the shot. */
function storyboardProblems(settings: Record<string, unknown>): string[] {
  const shots = settings.shots as Shot[] | undefined;
  const total = settings.duration as number;
  if (!shots) return [];
  const problems = shots.flatMap((s, i) =>
    s.duration > total
      ? [
          `params.shots[${i}] (shot ${i + 1}) lasts ${s.duration} s, longer than duration ${total} s.`,
        ]
      : [],
  );
  const sum = shots.reduce((n, s) => n + s.duration, 0);
  if (sum !== total) {
    const each = shots.map((s, i) => `shot ${i + 1}: ${s.duration} s`).join(", ");
    problems.push(
      `The shot durations add up to ${sum} s (${each}) but duration is ${total} s; make them equal.`,
    );
  }
  return problems;
}

export const storyboardModel: ModelTable = {
  id: "acme-story-1",
  displayName: "Acme Story 1",
  category: "video",
  inputs: ["text"],
  supportedModes: ["text-to-video"],
  uploadModes: [],
  price: { billing: "FIXED", credits: 12 },
  maxPromptLength: 2500,
  params: [
    {
      key: "duration",
      type: "select",
      required: false,
      default: "5",
      options: seconds(3, 15),
      description: "Duration in seconds",
    },
    {
      key: "shots",
      type: "list",
      required: false,
      minItems: 1,
      maxItems: 6,
      fields: [
        { key: "prompt", type: "text", required: true, maxLength: 512, description: "The shot" },
        {
          key: "duration",
          type: "select",
          required: false,
          default: "5",
          options: seconds(1, 15),
          description: "Shot length in seconds",
        },
      ],
      description: "Storyboard: the shots in order",
    },
  ],
  referenceMedia: null,
  rules: ["The shot durations add up to duration.", "No shot is longer than duration."],
  validate: storyboardProblems,
};

/** A plain model with two settings of its own; `n` makes the id and keys distinct. */
export function plainModel(n: number): ModelTable {
  return {
    id: `acme-plain-${n}`,
    displayName: `Acme Plain ${n}`,
    category: "video",
    inputs: ["text"],
    supportedModes: ["text-to-video"],
    uploadModes: [],
    price: { billing: "FIXED", credits: 5 + n },
    maxPromptLength: 1000,
    params: [
      {
        key: `style_${n}`,
        type: "select",
        required: false,
        default: "film",
        options: ["film", "anime", "clay"],
        description: "Look of the video",
      },
      {
        key: `motion_${n}`,
        type: "number",
        required: false,
        default: 0.5,
        min: 0,
        max: 1,
        description: "How much moves",
      },
    ],
    referenceMedia: null,
  };
}

/** `count` throwaway models: the storyboard one first, then plain ones. */
export function throwawayModels(count: number): ModelTable[] {
  const plain = Array.from({ length: Math.max(0, count - 1) }, (_, i) => plainModel(i + 1));
  return count > 0 ? [storyboardModel, ...plain] : [];
}
