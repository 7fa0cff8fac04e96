import { templateTemporalCaption } from '../template-caption';

describe('templateTemporalCaption', () => {
  it.each([
    [
      'A photo of a sitting dog.',
      'The scene gradually and naturally transforms until it shows a sitting dog, while the camera stays still.',
    ],
    [
      'An image of   Two cats playing!',
      'The scene gradually and naturally transforms until it shows two cats playing, while the camera stays still.',
    ],
    [
      'a red car',
      'The scene gradually and naturally transforms until it shows a red car, while the camera stays still.',
    ],
  ])('turns %j into one sentence about the change', (target, expected) => {
    expect(templateTemporalCaption(target)).toBe(expected);
  });

  it('is one deterministic sentence', () => {
    const caption = templateTemporalCaption('A photo of a video game console.');
    expect(caption).toBe(templateTemporalCaption('A photo of a video game console.'));
    expect(caption.split(/[.!?](\s|$)/).filter((s) => s.trim()).length).toBe(1);
  });
});
