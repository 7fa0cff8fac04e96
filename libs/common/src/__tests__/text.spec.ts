import { assertStorableText, DomainError, ErrorCode, toStorableText, unstorableTextReason } from '..';

describe('unstorableTextReason', () => {
  it.each([
    ['a lone high surrogate', 'A photo of a \ud83d dog.'],
    ['a lone low surrogate', 'A photo of a \ude00 dog.'],
    ['a surrogate at the end', 'dog\ud800'],
    ['a reversed pair', '\ude00\ud83d'],
  ])('finds %s', (_, value) => {
    expect(unstorableTextReason(value)).toMatch(/lone UTF-16 surrogate/);
  });

  it('finds a NUL character', () => {
    expect(unstorableTextReason('A photo\u0000 of a dog.')).toMatch(/NUL/);
  });

  it.each(['A photo of a dog.', 'Ein Hund 🐶 auf dem Sofa, 東京', '', 'tab\tand newline\n'])(
    'accepts well-formed text %j (pairs, CJK, other control characters are the callers’ rules)',
    (value) => {
      expect(unstorableTextReason(value)).toBeNull();
    },
  );

  it('agrees with String.prototype.isWellFormed on surrogates', () => {
    for (let unit = 0xd700; unit <= 0xe000; unit += 0x80) {
      const value = `a${String.fromCharCode(unit)}b`;
      const wellFormed = (value as unknown as { isWellFormed(): boolean }).isWellFormed();
      expect(unstorableTextReason(value) === null).toBe(wellFormed);
    }
  });
});

describe('assertStorableText', () => {
  it('returns storable text unchanged', () => {
    expect(assertStorableText('A 🐶.', 'name')).toBe('A 🐶.');
  });

  it('throws a DomainError with the code and the field named', () => {
    let error: unknown;
    try {
      assertStorableText('x\ud800', 'targetCaption', ErrorCode.InvalidCaption);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: ErrorCode.InvalidCaption, details: { field: 'targetCaption' } });
    expect((error as Error).message).toBe(
      'targetCaption contains a lone UTF-16 surrogate (not well-formed Unicode)',
    );
    expect(() => assertStorableText('\u0000', 'name')).toThrow(
      expect.objectContaining({ code: ErrorCode.InvalidInput }),
    );
  });
});

describe('toStorableText', () => {
  it('replaces lone surrogates and NUL with U+FFFD, keeping pairs', () => {
    const out = toStorableText('a\ud800b\u0000c 🐶 \ude00');
    expect(out).toBe('a\ufffdb\ufffdc 🐶 \ufffd');
    expect(unstorableTextReason(out)).toBeNull();
  });
});
