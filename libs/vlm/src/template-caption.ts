/**
 * The deterministic temporal caption used until a VLM is configured (paper 3.1 asks a VLM for a
 * caption that describes the change as it unfolds over time). It is marked with provenance
 * "template" wherever it is stored or shown.
 *
 *   "A photo of a sitting dog."  ->  "The scene gradually and naturally transforms until it shows
 *                                      a sitting dog, while the camera stays still."
 */
export const TEMPLATE_CAPTION_VERSION = 'template-v1';

export function templateTemporalCaption(targetCaption: string): string {
  const subject = targetCaption
    .trim()
    .replace(/[.!?\s]+$/u, '')
    .replace(/^(a|an)\s+(photo|image|picture|painting|drawing|rendering)\s+of\s+/iu, '')
    .replace(/\s+/gu, ' ');
  const phrase = subject.length > 0 ? subject.charAt(0).toLowerCase() + subject.slice(1) : 'the target';
  return `The scene gradually and naturally transforms until it shows ${phrase}, while the camera stays still.`;
}
