import {
  FRAME_SELECTION_INSTRUCTION,
  parseSelectionAnswer,
  selectionInstructionFor,
} from '../frame-selection.prompt';

describe('the selection instruction and answer', () => {
  it('is the paper instruction with the target caption substituted', () => {
    const text = selectionInstructionFor('A photo of a cat yawning.');
    expect(text).toContain('The target edit image caption was: “A photo of a cat yawning.”.');
    expect(
      text.endsWith('Respond with: “The selected edit is:x” where x is the number of your chosen edit.'),
    ).toBe(true);
    expect(FRAME_SELECTION_INSTRUCTION.match(/CAPTION/g)).toHaveLength(1);
  });

  it.each([
    ['The selected edit is:7', 7],
    ['The selected edit is: 0', 0],
    ['After comparing, “The selected edit is:12”', 12],
    ['the selected edit is:3. The selected edit is:3', 3],
  ])('reads %j', (raw, number) => {
    expect(parseSelectionAnswer(raw, 12)).toEqual({ ok: true, number });
  });

  it.each([
    ['I would pick the third one.', /no "The selected edit is:x"/],
    ['The selected edit is:13', /outside 0..12/],
    ['The selected edit is:2 or The selected edit is:5', /several different answers/],
    ['The selected edit is:x', /no "The selected edit is:x"/],
  ])('refuses %j', (raw, reason) => {
    const parsed = parseSelectionAnswer(raw, 12);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toMatch(reason);
  });
});
