import { askChecked, type CheckedAnswer, type VlmCallRecord } from './checked-call';
import type { VisionLanguageModel } from './vlm';

/** Bumped whenever the instruction changes; recorded with every selection and call. */
export const FRAME_SELECTION_PROMPT_VERSION = 'paper-c1-v1';

/** The paper's instruction (appendix C.1), "CAPTION" standing for the target caption. */
export const FRAME_SELECTION_INSTRUCTION =
  'The image displays the source photo at the top, with a collage of 12 edited versions beneath it. The ' +
  'target edit image caption was: “CAPTION”. Your task is to choose the image from 1 to 12 that best follows ' +
  'this edit fully and naturally. If none of the images follows the edit, select image 0. If multiple images ' +
  'follow the edit equally, prioritize the one with the lowest number possible. Avoid selecting images that ' +
  'appear to follow the edit but are not edits of the original image. Additionally, avoid images where ' +
  'camera motion, zoom, or image quality differs significantly, or where the content does not appear stable ' +
  'relative to the original source. Respond with: “The selected edit is:x” where x is the number of your ' +
  'chosen edit.';

export const selectionInstructionFor = (targetCaption: string): string =>
  FRAME_SELECTION_INSTRUCTION.replace('CAPTION', targetCaption);

export type SelectionAnswer = { ok: true; number: number } | { ok: false; reason: string };

/**
 * "The selected edit is:x", strictly: exactly one such statement, x a whole number within 0..count
 * (straight or typographic quotes and a space after the colon tolerated).
 */
export function parseSelectionAnswer(raw: string, count: number): SelectionAnswer {
  const matches = [...raw.matchAll(/the selected edit is\s*:\s*["“]?(\d+)["”]?/giu)];
  if (matches.length === 0) return { ok: false, reason: 'no "The selected edit is:x" in the answer' };
  const numbers = new Set(matches.map((m) => Number(m[1])));
  if (numbers.size > 1)
    return { ok: false, reason: `several different answers (${[...numbers].join(', ')})` };
  const [number] = numbers;
  if (number > count) return { ok: false, reason: `${number} is outside 0..${count}` };
  return { ok: true, number };
}

/**
 * Asks the VLM which image of the collage (the source over `count` numbered frames) fulfils the edit,
 * with the paper's instruction, and checks the answer: the image's number (0: none), or the problem.
 * Every attempt is recorded in `calls`.
 */
export function askFrameSelection(
  vlm: VisionLanguageModel,
  targetCaption: string,
  collage: Buffer,
  count: number,
  calls: VlmCallRecord[],
  attempts = 2,
): Promise<CheckedAnswer<number>> {
  return askChecked(
    vlm,
    {
      purpose: 'frame-selection',
      promptVersion: FRAME_SELECTION_PROMPT_VERSION,
      maxTokens: 60,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: selectionInstructionFor(targetCaption) },
            { type: 'image', data: collage, mime: 'image/png' },
          ],
        },
      ],
    },
    (text) => {
      const parsed = parseSelectionAnswer(text, count);
      return parsed.ok ? { ok: true, value: parsed.number } : parsed;
    },
    calls,
    attempts,
  );
}
