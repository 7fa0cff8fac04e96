import {
  checkTemporalCaption,
  instructionFor,
  DEFAULT_EXAMPLES,
  PAPER_FIGURES_EXAMPLES,
  PAPER_S10_EXAMPLES,
  PROJECT_EXAMPLES,
  TEMPORAL_CAPTION_INSTRUCTION,
  temporalCaptionMessages,
} from '../temporal-caption.prompt';

describe('the temporal caption prompt (paper 3.1, B.1)', () => {
  it('is the paper instruction with the target caption in place of CAPTION', () => {
    const text = instructionFor('A photo of a sitting dog.');
    expect(
      text.startsWith(
        'Write a one-sentence description of a short video that begins with the provided image',
      ),
    ).toBe(true);
    expect(text).toContain(
      'smoothly transitions into a scene of a “A photo of a sitting dog.”, highlighting',
    );
    expect(text.endsWith('without mentioning the length or using the word “video”.')).toBe(true);
    expect(text).not.toContain('CAPTION');
    expect(TEMPORAL_CAPTION_INSTRUCTION.match(/CAPTION/g)).toHaveLength(1);
  });

  it('presents the instruction nine times with the examples, then once more with the source image', () => {
    const source = { data: Buffer.from('jpeg'), mime: 'image/jpeg' };
    const messages = temporalCaptionMessages('A photo of a sitting dog.', source);
    expect(DEFAULT_EXAMPLES).toHaveLength(9);
    expect(messages).toHaveLength(19);
    DEFAULT_EXAMPLES.forEach((example, i) => {
      expect(messages[2 * i]).toEqual({
        role: 'user',
        content: [{ type: 'text', text: instructionFor(example.targetCaption) }],
      });
      expect(messages[2 * i + 1]).toEqual({
        role: 'assistant',
        content: [{ type: 'text', text: example.temporalCaption }],
      });
    });
    expect(messages[18]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: instructionFor('A photo of a sitting dog.') },
        { type: 'image', data: source.data, mime: 'image/jpeg' },
      ],
    });
  });

  it("defaults to the paper's three printed pairs (S10) and six of the project's, none from the paper's TEdBench figures", () => {
    expect(DEFAULT_EXAMPLES).toEqual([...PAPER_S10_EXAMPLES, ...PROJECT_EXAMPLES]);
    expect(PAPER_S10_EXAMPLES.map((e) => e.targetCaption)).toEqual([
      'A photo of domes in the Grand Canyon under the golden sunrise.',
      'Two red Campari shots',
      'A photo of a magician holding a hat with a rabbit in it.',
    ]);
    // The paper-figures set keeps the six pairs of Figures S7 and S8 (TEdBench results): none of
    // them, target or temporal caption, is among the defaults.
    const figures = PAPER_FIGURES_EXAMPLES.slice(3);
    expect(figures).toHaveLength(6);
    for (const f of figures) {
      expect(DEFAULT_EXAMPLES.map((e) => e.targetCaption)).not.toContain(f.targetCaption);
      expect(DEFAULT_EXAMPLES.map((e) => e.temporalCaption)).not.toContain(f.temporalCaption);
    }
    for (const e of PROJECT_EXAMPLES)
      expect(checkTemporalCaption(e.temporalCaption)).toEqual({ ok: true, caption: e.temporalCaption });
  });

  it('attaches the images of examples that have one (a tenant own examples)', () => {
    const image = { data: Buffer.from('png'), mime: 'image/png' };
    const messages = temporalCaptionMessages('x', image, [
      { targetCaption: 'a', temporalCaption: 'b', image },
    ]);
    expect(messages[0].content).toEqual([
      { type: 'text', text: instructionFor('a') },
      { type: 'image', ...image },
    ]);
  });
});

describe('checkTemporalCaption', () => {
  it.each([
    [
      'The dog gradually lowers its back legs, settling into a seated position.',
      'The dog gradually lowers its back legs, settling into a seated position.',
    ],
    ['  “The sun rises slowly in the early morning.”  ', 'The sun rises slowly in the early morning.'],
    ['The tree turns red', 'The tree turns red.'],
    ['Mr. Smith slowly sits down.', 'Mr. Smith slowly sits down.'],
  ])('accepts %j', (raw, caption) => {
    expect(checkTemporalCaption(raw)).toEqual({ ok: true, caption });
  });

  it.each([
    ['', 'empty answer'],
    ['   ""  ', 'empty answer'],
    ['In this video, the dog sits down.', 'mentions a video'],
    ['The dog sits. Then it lies down.', '2 sentences, not one'],
    ["I'm sorry, I can't help with that.", 'refusal'],
    ['x'.repeat(401), 'longer than 400 characters'],
    // A VLM answer is stored with the caption and in edit events (JSON): it must be well-formed.
    ['The dog \ud83d sits down.', 'contains a lone UTF-16 surrogate (not well-formed Unicode)'],
    ['The dog\u0000 sits down.', 'contains a NUL character (U+0000)'],
  ])('refuses %j', (raw, reason) => {
    expect(checkTemporalCaption(raw)).toEqual({ ok: false, reason });
  });
});
