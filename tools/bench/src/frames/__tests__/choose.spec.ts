import { chooseEncoding, disqualification, median, type SampleSummary, summarise } from '../choose';
import { editBytes } from '../edit-bytes';

const summary = (overrides: Partial<SampleSummary>): SampleSummary => ({
  frames: 3,
  pngBytes: 1000,
  bytes: 50,
  ratio: 0.05,
  ssimMin: 0.99,
  ssimMean: 0.995,
  encodeMsMedian: 80,
  ...overrides,
});

describe('summarise', () => {
  it('weighs the ratio by bytes (as storage adds up), keeps the worst SSIM and the median time', () => {
    const s = summarise([
      { pngBytes: 900, bytes: 90, ssim: 0.99, encodeMs: 10 },
      { pngBytes: 100, bytes: 60, ssim: 0.97, encodeMs: 30 },
      { pngBytes: 1000, bytes: 50, ssim: 1, encodeMs: 20 },
    ]);
    expect(s).toMatchObject({ frames: 3, pngBytes: 2000, bytes: 200, ssimMin: 0.97, encodeMsMedian: 20 });
    expect(s.ratio).toBeCloseTo(0.1, 12);
    expect(s.ssimMean).toBeCloseTo((0.99 + 0.97 + 1) / 3, 12);
  });

  it('refuses an empty set, and takes the mean of the middle two as the median of an even count', () => {
    expect(() => summarise([])).toThrow('no frames');
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('chooseEncoding', () => {
  const rules = { maxRatio: 0.15, minSsim: 0.99, maxEncodeMs: 184, tieBytes: 0.05 };
  const webp85 = { encoding: { format: 'webp' as const, quality: 85 }, summary: summary({ ratio: 0.037 }) };
  const webp85e6 = {
    encoding: { format: 'webp' as const, quality: 85, effort: 6 },
    summary: summary({ ratio: 0.036, encodeMsMedian: 150 }),
  };
  const webp90 = {
    encoding: { format: 'webp' as const, quality: 90 },
    summary: summary({ ratio: 0.05, ssimMean: 0.998 }),
  };
  const avif = {
    encoding: { format: 'avif' as const, quality: 60, effort: 2 },
    summary: summary({ ratio: 0.03, ssimMean: 0.999, encodeMsMedian: 700 }),
  };
  const webp75 = {
    encoding: { format: 'webp' as const, quality: 75 },
    summary: summary({ ratio: 0.025, ssimMin: 0.9877, ssimMean: 0.989 }),
  };

  it('takes the fewest bytes among those within every rule, a near tie going to the faster, whatever the order', () => {
    const all = [webp85, webp85e6, webp90, avif, webp75];
    expect(chooseEncoding(all, rules)).toBe(webp85);
    expect(chooseEncoding([...all].reverse(), rules)).toBe(webp85);
    // Without the near tie, the fewer bytes win even when slower.
    const smaller = { ...webp85e6, summary: summary({ ratio: 0.03, encodeMsMedian: 150 }) };
    expect(chooseEncoding([webp85, smaller, webp90], rules)).toBe(smaller);
  });

  it('counts as a tie what is within tieBytes of the fewest bytes', () => {
    const fast = { ...webp85, summary: summary({ ratio: 0.038, encodeMsMedian: 20 }) };
    const slow = { ...webp85e6, summary: summary({ ratio: 0.036, encodeMsMedian: 76 }) };
    // 0.038 is 5.6 % over 0.036: no tie at 5 %, a tie at 10 %.
    expect(chooseEncoding([fast, slow], rules)).toBe(slow);
    expect(chooseEncoding([fast, slow], { ...rules, tieBytes: 0.1 })).toBe(fast);
  });

  it('says why an encoding is out: SSIM first, then bytes, then time', () => {
    expect(disqualification(webp75.summary, rules)).toMatch(/^SSIM min 0.9877 < 0.99/);
    expect(disqualification(summary({ ratio: 0.2 }), rules)).toMatch(/^ratio 0.200 > 0.15/);
    expect(disqualification(avif.summary, rules)).toBe('encode 700 ms > 184 ms');
    expect(disqualification(webp85.summary, rules)).toBeNull();
  });

  it('chooses nothing when nothing qualifies', () => {
    expect(chooseEncoding([avif, webp75], rules)).toBeNull();
  });
});

describe('editBytes', () => {
  it('adds frames, raw frames and collage before; keeps the collage and one lossless result after', () => {
    const frames = summary({ pngBytes: 4900, bytes: 245 });
    const raw = summary({ pngBytes: 9800, bytes: 490 });
    const e = editBytes(frames, raw, 300, 100);
    expect(e.before).toEqual({ frames: 4900, raw: 9800, collage: 300, total: 15000 });
    expect(e.after).toEqual({ frames: 245, raw: 490, collage: 300, result: 100, total: 1135 });
    expect(e.ratio).toBeCloseTo(1135 / 15000, 12);
    expect(e.framesRatio).toBeCloseTo(735 / 14700, 12);
    // While metrics and selection run, every edited frame's lossless copy is there (the result's among them).
    expect(e.peak).toBe(1135 + 4900 - 100);
  });
});
