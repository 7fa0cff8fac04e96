import { unstorableTextReason } from '@f2f/common';
import type { VlmMessage } from '@f2f/vlm';

/**
 * Bumped whenever the instruction or the default examples change; recorded with every caption and
 * call. v2: the default examples are the paper's three printed pairs (S10) and six of the project's.
 */
export const TEMPORAL_CAPTION_PROMPT_VERSION = 'f2f-b1-v2';
/** The prompt with the paper-figures example set (v1's nine), kept under its own version. */
export const PAPER_FIGURES_PROMPT_VERSION = 'paper-b1-v1';

/** The paper's instruction (appendix B.1), "CAPTION" standing for the target caption. */
export const TEMPORAL_CAPTION_INSTRUCTION =
  'Write a one-sentence description of a short video that begins with the provided image and smoothly ' +
  'transitions into a scene of a “CAPTION”, highlighting how elements in the image undergo changes or ' +
  'movement over time. Keep the description simple, concise and short, focusing only on essential changes ' +
  'and actions without altering unnecessary details. Avoid mentioning elements that do not contribute to ' +
  'the main change needed, and focus the description on the main transitions. Do not add objects that are ' +
  'not in the original image or described in the final scene. The camera should remain static unless ' +
  'movement is absolutely necessary. Ensure all transitions happen within a few second duration without ' +
  'mentioning the length or using the word “video”.';

export interface CaptionExample {
  targetCaption: string;
  temporalCaption: string;
  /** The example's source image, when a tenant supplies its own examples with images. */
  image?: { data: Buffer; mime: string };
}

/** The three pairs the paper prints as its in-context examples (appendix B.1, Figure S10). */
export const PAPER_S10_EXAMPLES: readonly CaptionExample[] = [
  {
    targetCaption: 'A photo of domes in the Grand Canyon under the golden sunrise.',
    temporalCaption: 'The sun rises slowly in the early morning.',
  },
  {
    targetCaption: 'Two red Campari shots',
    temporalCaption: 'Red-colored Campari is poured into shot glasses until they are filled.',
  },
  {
    targetCaption: 'A photo of a magician holding a hat with a rabbit in it.',
    temporalCaption: 'A magician slowly pulls a rabbit from his hat and reveals it gradually.',
  },
];

/**
 * Six examples written for this project in the paper's style. None comes from a benchmark: no
 * TEdBench or PosEdit caption, image or result (those would put answers into an evaluation's prompt).
 */
export const PROJECT_EXAMPLES: readonly CaptionExample[] = [
  {
    targetCaption: 'A photo of a candle that has burned down.',
    temporalCaption: "The candle's flame flickers as the wax slowly melts and the candle grows shorter.",
  },
  {
    targetCaption: 'A photo of a glass filled with orange juice.',
    temporalCaption: 'Orange juice is poured into the empty glass until it is full.',
  },
  {
    targetCaption: 'A photo of a street at night with the lamps on.',
    temporalCaption: 'The daylight fades and the street lamps gradually switch on.',
  },
  {
    targetCaption: 'A photo of a bicycle with a flat front tyre.',
    temporalCaption: 'The front tyre of the bicycle slowly loses air until it is flat.',
  },
  {
    targetCaption: 'A photo of a window with its curtains drawn.',
    temporalCaption: 'The curtains slide slowly across the window until it is covered.',
  },
  {
    targetCaption: 'A photo of a loaf of bread cut into slices.',
    temporalCaption: 'A knife slices through the loaf, leaving a row of even slices.',
  },
];

/** The default in-context examples (prompt version f2f-b1-v2): the paper's S10 pairs, then the project's. */
export const DEFAULT_EXAMPLES: readonly CaptionExample[] = [...PAPER_S10_EXAMPLES, ...PROJECT_EXAMPLES];

/**
 * The v1 example set ("paper-figures"): the S10 pairs and six pairs from the paper's TEdBench
 * result figures (S7, S8). On TEdBench these leak answers into the prompt: evaluation warns.
 */
export const PAPER_FIGURES_EXAMPLES: readonly CaptionExample[] = [
  {
    targetCaption: 'A photo of domes in the Grand Canyon under the golden sunrise.',
    temporalCaption: 'The sun rises slowly in the early morning.',
  },
  {
    targetCaption: 'Two red Campari shots',
    temporalCaption: 'Red-colored Campari is poured into shot glasses until they are filled.',
  },
  {
    targetCaption: 'A photo of a magician holding a hat with a rabbit in it.',
    temporalCaption: 'A magician slowly pulls a rabbit from his hat and reveals it gradually.',
  },
  {
    targetCaption: 'A photo of a vase of red roses.',
    temporalCaption: 'The carnations slowly transform into vibrant red roses.',
  },
  {
    targetCaption: 'Pizza with pepperoni.',
    temporalCaption: 'Pepperoni slices are carefully placed on the pizza.',
  },
  {
    targetCaption: 'A photo of a tree. Taken in autumn.',
    temporalCaption: "The tree's green leaves gradually turn vibrant shades of red and orange.",
  },
  {
    targetCaption: 'A goat jumping over a cat.',
    temporalCaption: 'The goat leaps gracefully into the air over the unmoving cat.',
  },
  {
    targetCaption: 'A photo of an open box.',
    temporalCaption: 'The flaps of the box gently unfold, revealing the open interior.',
  },
  {
    targetCaption: 'A photo of a giraffe eating the grass below.',
    temporalCaption: 'The giraffe gently lowers its neck to nibble on the grass.',
  },
];

/** The built-in example sets, by the name recorded with each caption (Caption.exampleSet). */
export const BUILTIN_EXAMPLE_SETS = {
  project: { examples: DEFAULT_EXAMPLES, promptVersion: TEMPORAL_CAPTION_PROMPT_VERSION },
  'paper-figures': { examples: PAPER_FIGURES_EXAMPLES, promptVersion: PAPER_FIGURES_PROMPT_VERSION },
} as const;
export type BuiltinExampleSet = keyof typeof BUILTIN_EXAMPLE_SETS;
export const BUILTIN_EXAMPLE_SET_NAMES = Object.keys(BUILTIN_EXAMPLE_SETS) as BuiltinExampleSet[];

export const instructionFor = (targetCaption: string): string =>
  TEMPORAL_CAPTION_INSTRUCTION.replace('CAPTION', targetCaption);

/**
 * The conversation of paper 3.1 and B.1: the instruction presented once per example, each answered
 * with the example's temporal caption, then the instruction for this edit with its source image.
 */
export function temporalCaptionMessages(
  targetCaption: string,
  source: { data: Buffer; mime: string },
  examples: readonly CaptionExample[] = DEFAULT_EXAMPLES,
): VlmMessage[] {
  const messages: VlmMessage[] = [];
  for (const example of examples) {
    messages.push({
      role: 'user',
      content: [
        { type: 'text', text: instructionFor(example.targetCaption) },
        ...(example.image ? [{ type: 'image' as const, ...example.image }] : []),
      ],
    });
    messages.push({ role: 'assistant', content: [{ type: 'text', text: example.temporalCaption }] });
  }
  messages.push({
    role: 'user',
    content: [
      { type: 'text', text: instructionFor(targetCaption) },
      { type: 'image', ...source },
    ],
  });
  return messages;
}

export type CaptionCheck = { ok: true; caption: string } | { ok: false; reason: string };

/** The answer must be one plain sentence, not empty, not a refusal, and never mention a video. */
export function checkTemporalCaption(raw: string): CaptionCheck {
  const caption = raw
    .trim()
    .replace(/^["“'‘]+|["”'’]+$/gu, '')
    .replace(/\s+/gu, ' ')
    .trim();
  if (!caption) return { ok: false, reason: 'empty answer' };
  const unstorable = unstorableTextReason(caption);
  if (unstorable) return { ok: false, reason: unstorable };
  if (/^(i'm sorry|i am sorry|sorry,|i can(no|')t|as an ai)/iu.test(caption))
    return { ok: false, reason: 'refusal' };
  if (/\bvideos?\b/iu.test(caption)) return { ok: false, reason: 'mentions a video' };
  if (caption.length > 400) return { ok: false, reason: 'longer than 400 characters' };
  const masked = caption.replace(/\b(Mr|Mrs|Ms|Dr|St|Mt|Jr|Sr|vs|etc|e\.g|i\.e)\./gu, '$1');
  const sentences = masked.split(/(?<=[.!?])\s+(?=[A-Z0-9“"])/u).filter((s) => s.trim());
  if (sentences.length > 1) return { ok: false, reason: `${sentences.length} sentences, not one` };
  return { ok: true, caption: /[.!?]$/u.test(caption) ? caption : `${caption}.` };
}
