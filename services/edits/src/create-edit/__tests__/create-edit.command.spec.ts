import { DomainError, ErrorCode } from '@f2f/common';
import { asTenantId } from '@f2f/database';

import { decodeBase64Image } from '@f2f/imaging';

import { CreateEditCommand } from '../create-edit.command';

const tenant = asTenantId('acme');
const limits = {
  maxImageBytes: 1000,
  maxCaptionLength: 50,
  defaultModel: 'cogvideox-5b-i2v',
  servedModels: ['cogvideox-5b-i2v', 'cogvideox-2b-i2v'],
  maxUnfinishedEdits: 5,
};
const image = Buffer.from('not checked here; the use case inspects the bytes');
const input = (overrides: Record<string, unknown> = {}) => ({
  imageBase64: image.toString('base64'),
  targetCaption: 'A photo of a sitting dog.',
  ...overrides,
});

function codeOf(fn: () => unknown): ErrorCode | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  return undefined;
}

describe('CreateEditCommand', () => {
  it('normalises the caption, decodes the image and fills the paper defaults', () => {
    const command = CreateEditCommand.create(
      tenant,
      input({ targetCaption: '  A photo of\n a sitting dog.  ' }),
      limits,
      () => 1234,
    );
    expect(command.targetCaption).toBe('A photo of a sitting dog.');
    expect(command.image).toEqual({ kind: 'bytes', data: image });
    expect(command.options).toEqual({
      model: 'cogvideox-5b-i2v',
      frames: 49,
      steps: 50,
      guidance: 6,
      fps: 8,
      seed: 1234,
      captionMode: 'temporal',
      selection: 'vlm',
      candidates: 1,
      outputWidth: null,
      outputHeight: null,
    });
  });

  it('takes the caption mode from the GraphQL enum', () => {
    const command = CreateEditCommand.create(
      tenant,
      input({ options: { captionMode: 'TARGET' } }),
      limits,
      () => 1,
    );
    expect(command.options.captionMode).toBe('target');
    const lastFrame = CreateEditCommand.create(
      tenant,
      input({ options: { selection: 'LAST_FRAME' } }),
      limits,
      () => 1,
    );
    expect(lastFrame.options.selection).toBe('last-frame');
  });

  it('keeps given options and a given seed', () => {
    const command = CreateEditCommand.create(
      tenant,
      input({ options: { steps: 20, seed: 7, guidance: null } }),
      limits,
      () => 1,
    );
    expect(command.options).toMatchObject({ steps: 20, seed: 7, guidance: 6 });
  });

  it.each([
    ['an empty caption', { targetCaption: '   ' }, ErrorCode.InvalidCaption],
    ['an oversized caption', { targetCaption: 'x'.repeat(51) }, ErrorCode.InvalidCaption],
    ['control characters', { targetCaption: 'a\u0007b' }, ErrorCode.InvalidCaption],
    [
      'a lone surrogate in the caption',
      { targetCaption: 'A photo of a \ud83d dog.' },
      ErrorCode.InvalidCaption,
    ],
    [
      'a NUL character in the caption',
      { targetCaption: 'A photo\u0000 of a dog.' },
      ErrorCode.InvalidCaption,
    ],
    ['an empty image', { imageBase64: '' }, ErrorCode.InvalidImage],
    ['an image that is not base64', { imageBase64: '%%%not-base64%%%' }, ErrorCode.InvalidImage],
    [
      'an image over the limit',
      { imageBase64: Buffer.alloc(2000).toString('base64') },
      ErrorCode.ImageTooLarge,
    ],
    [
      'both an image and an upload',
      { sourceUploadId: '7d0c6f1e-8a51-4f6e-9a57-3f0e2b9b1c11' },
      ErrorCode.InvalidInput,
    ],
    ['neither an image nor an upload', { imageBase64: null }, ErrorCode.InvalidInput],
    ['an upload id that no upload can have', { imageBase64: null, sourceUploadId: 'x' }, ErrorCode.NotFound],
    [
      'both forms of a ground truth',
      {
        groundTruthBase64: 'AAAA',
        groundTruthUploadId: '7d0c6f1e-8a51-4f6e-9a57-3f0e2b9b1c11',
      },
      ErrorCode.InvalidInput,
    ],
    ['too many steps', { options: { steps: 100000 } }, ErrorCode.InvalidInput],
    ['a negative seed', { options: { seed: -1 } }, ErrorCode.InvalidInput],
    ['an unknown option', { options: { turbo: true } }, ErrorCode.InvalidInput],
    ['too many candidates', { options: { candidates: 9 } }, ErrorCode.InvalidInput],
    ['an unknown caption mode', { options: { captionMode: 'POETIC' } }, ErrorCode.InvalidInput],
    ['an output width without a height', { options: { outputWidth: 512 } }, ErrorCode.InvalidInput],
  ])('refuses %s', (_name, overrides, code) => {
    expect(codeOf(() => CreateEditCommand.create(tenant, input(overrides), limits, () => 1))).toBe(code);
  });

  it('accepts a served model, and refuses another, naming the served ones', () => {
    const served = CreateEditCommand.create(
      tenant,
      input({ options: { model: 'cogvideox-2b-i2v' } }),
      limits,
      () => 1,
    );
    expect(served.options.model).toBe('cogvideox-2b-i2v');
    let error: unknown;
    try {
      CreateEditCommand.create(tenant, input({ options: { model: 'sora-9000' } }), limits, () => 1);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      code: ErrorCode.InvalidInput,
      details: { field: 'options.model', servedModels: ['cogvideox-5b-i2v', 'cogvideox-2b-i2v'] },
    });
    expect((error as Error).message).toBe(
      'options.model: this deployment does not serve "sora-9000"; it serves "cogvideox-5b-i2v", "cogvideox-2b-i2v"',
    );
  });

  it('names the caption problem when it holds a lone surrogate', () => {
    expect(() =>
      CreateEditCommand.create(tenant, input({ targetCaption: 'dog \udc00' }), limits, () => 1),
    ).toThrow('the target caption contains a lone UTF-16 surrogate (not well-formed Unicode)');
  });

  it('accepts a data: URL and refuses an oversized image from its length before decoding it', () => {
    expect(decodeBase64Image(`data:image/png;base64,${image.toString('base64')}`, 1000).equals(image)).toBe(
      true,
    );
    const huge = 'A'.repeat(4 * 1024 * 1024);
    expect(codeOf(() => decodeBase64Image(huge, 1000))).toBe(ErrorCode.ImageTooLarge);
  });
});
