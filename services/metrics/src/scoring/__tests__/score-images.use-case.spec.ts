/**
 * @jest-environment ./test/support/native-typed-arrays-environment.js
 */
import path from 'node:path';

import { ErrorCode } from '@f2f/common';
import type { TenantId } from '@f2f/database';
import { decodeForEvaluation, LearnedMetrics } from '@f2f/learned-metrics';
import sharp from 'sharp';

import { MAX_SCORED_ITEMS, ScoreImagesUseCase } from '../score-images.use-case';

const REPO = path.resolve(__dirname, '../../../../..');
const FIXTURES = path.join(REPO, 'libs', 'learned-metrics', 'fixtures', 'tiny-models');
const tenant = 'tenant-a' as TenantId;

let models: LearnedMetrics;
let source: Buffer;
let result: Buffer;

beforeAll(async () => {
  models = await LearnedMetrics.load({ modelDir: FIXTURES, threads: 1 });
  const gradient = Buffer.alloc(64 * 48 * 3);
  for (let i = 0; i < gradient.length; i++) gradient[i] = (i * 7) % 256;
  source = await sharp(gradient, { raw: { width: 64, height: 48, channels: 3 } })
    .png()
    .toBuffer();
  result = await sharp(source).modulate({ brightness: 1.3 }).resize(300, 300).webp().toBuffer();
});
afterAll(() => models.release());

describe('scoreImages', () => {
  it("scores with the platform's networks at the protocol's size, both LPIPS ranges and CLIPScore", async () => {
    const out = await new ScoreImagesUseCase(models).score(tenant, [
      {
        id: 'x',
        resultBase64: result.toString('base64'),
        sourceBase64: `data:image/png;base64,${source.toString('base64')}`,
        targetCaption: 'A brighter photo.',
        groundTruthBase64: source.toString('base64'),
      },
      {
        resultBase64: source.toString('base64'),
        sourceBase64: source.toString('base64'),
        targetCaption: 'a',
      },
    ]);
    expect(out).toMatchObject({
      models: models.modelId,
      lpipsSize: 256,
      evalSize: 512,
      randomLpips: true,
      randomClip: true,
    });
    const direct = await models.score({
      result: await decodeForEvaluation(result, 'r'),
      source: await decodeForEvaluation(source, 's'),
      groundTruth: await decodeForEvaluation(source, 'g'),
      caption: 'A brighter photo.',
    });
    expect(out.scores[0]).toEqual({ id: 'x', ...direct });
    expect(out.scores[0]!.clipScore).toBeCloseTo(2.5 * Math.max(out.scores[0]!.clipCosine, 0), 9);
    expect(out.scores[1]).toMatchObject({ id: '1', targetLpips: null, targetLpipsPaperRange: null });
    expect(out.scores[1]!.lpips).toBeCloseTo(0, 6);
  });

  it('refuses bad input with a code before running anything', async () => {
    const useCase = new ScoreImagesUseCase(models);
    const item = {
      resultBase64: source.toString('base64'),
      sourceBase64: source.toString('base64'),
      targetCaption: 'a',
    };
    await expect(useCase.score(tenant, [])).rejects.toMatchObject({ code: ErrorCode.InvalidInput });
    await expect(useCase.score(tenant, Array(MAX_SCORED_ITEMS + 1).fill(item))).rejects.toMatchObject({
      code: ErrorCode.InvalidInput,
    });
    await expect(useCase.score(tenant, [{ ...item, targetCaption: '  ' }])).rejects.toMatchObject({
      code: ErrorCode.InvalidCaption,
    });
    await expect(useCase.score(tenant, [{ ...item, resultBase64: 'not base64!' }])).rejects.toMatchObject({
      code: ErrorCode.InvalidImage,
      message: 'items[0].resultBase64 is not valid base64',
    });
    const gif = await sharp(source).gif().toBuffer();
    await expect(
      useCase.score(tenant, [{ ...item, sourceBase64: gif.toString('base64') }]),
    ).rejects.toMatchObject({
      code: ErrorCode.InvalidImage,
      message: expect.stringContaining('the source is gif; use PNG, JPEG or WebP'),
    });
  });

  it('is unavailable on a platform without learned metrics', async () => {
    await expect(new ScoreImagesUseCase(null).score(tenant, [])).rejects.toMatchObject({
      code: ErrorCode.Unavailable,
    });
  });
});
