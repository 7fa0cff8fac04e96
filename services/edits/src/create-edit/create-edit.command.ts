import { createHash } from 'node:crypto';

import { assertStorableText, DomainError, ErrorCode } from '@f2f/common';
import { generationOptionsSchema, type GenerationOptions } from '@f2f/contracts';
import type { TenantId } from '@f2f/database';
import { decodeBase64Image } from '@f2f/imaging';

export interface CreateEditLimits {
  maxImageBytes: number;
  maxCaptionLength: number;
  /** The video model an edit uses when it names none (the deployment's GPU pool). */
  defaultModel: string;
  /** The models the GPU pool serves (SERVED_MODELS): options.model must be one of them. */
  servedModels: readonly string[];
}

export interface CreateEditInput {
  /** The source image as base64; or sourceUploadId: exactly one of them. */
  imageBase64?: string | null;
  /** An upload of the tenant (createUpload, then the PUT) holding the source image. */
  sourceUploadId?: string | null;
  targetCaption: string;
  /** A ground-truth target image (the PosEdit protocol), base64 like the source; or groundTruthUploadId. */
  groundTruthBase64?: string | null;
  groundTruthUploadId?: string | null;
  options?: Partial<Record<keyof GenerationOptions, unknown>> | null;
  /** Makes the request safe to repeat: unique per tenant. */
  idempotencyKey?: string | null;
}

/** Visible ASCII (no spaces or control characters), 1..200 characters. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/** An image of the request: its bytes (sent as base64), or the id of an upload that holds them. */
export type ImageInput = { kind: 'bytes'; data: Buffer } | { kind: 'upload'; uploadId: string };

/** A validated request to create an edit: building one is validating it. */
export class CreateEditCommand {
  private constructor(
    readonly tenantId: TenantId,
    readonly image: ImageInput,
    readonly targetCaption: string,
    readonly options: GenerationOptions,
    readonly groundTruth: ImageInput | null,
    readonly idempotencyKey: string | null,
    /** The seed the client gave (a drawn one is not part of the request). */
    private readonly givenSeed: unknown,
  ) {}

  /**
   * What makes two requests the same: the image's and ground truth's SHA-256 (the same whether
   * the image came as base64 or as an upload), the normalised caption and the options.
   */
  requestHash(imageSha256: string, groundTruthSha256: string | null): string {
    return sha256(
      canonicalJson({
        image: imageSha256,
        groundTruth: groundTruthSha256,
        targetCaption: this.targetCaption,
        options: { ...this.options, seed: this.givenSeed ?? null },
      }),
    );
  }

  static create(
    tenantId: TenantId,
    input: CreateEditInput,
    limits: CreateEditLimits,
    randomSeed: () => number,
  ): CreateEditCommand {
    const idempotencyKey = input.idempotencyKey ?? null;
    if (idempotencyKey !== null && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new DomainError(
        ErrorCode.InvalidInput,
        'idempotencyKey must be 1..200 visible ASCII characters (no spaces or control characters)',
      );
    }
    assertStorableText(input.targetCaption, 'the target caption', ErrorCode.InvalidCaption);
    const targetCaption = input.targetCaption.replace(/\s+/g, ' ').trim();
    if (targetCaption.length === 0)
      throw new DomainError(ErrorCode.InvalidCaption, 'the target caption is empty');
    if (targetCaption.length > limits.maxCaptionLength) {
      throw new DomainError(
        ErrorCode.InvalidCaption,
        `the target caption has ${targetCaption.length} characters; the limit is ${limits.maxCaptionLength}`,
      );
    }
    if (/\p{Cc}/u.test(targetCaption)) {
      throw new DomainError(ErrorCode.InvalidCaption, 'the target caption contains control characters');
    }
    const image = imageInput(
      input.imageBase64,
      input.sourceUploadId,
      'imageBase64',
      'sourceUploadId',
      limits,
    );
    if (!image)
      throw new DomainError(ErrorCode.InvalidInput, 'give the source image: imageBase64 or sourceUploadId');
    const groundTruth = imageInput(
      input.groundTruthBase64,
      input.groundTruthUploadId,
      'groundTruthBase64',
      'groundTruthUploadId',
      limits,
    );
    const cleaned = Object.fromEntries(
      Object.entries(input.options ?? {})
        .filter(([, v]) => v !== null && v !== undefined)
        // GraphQL enums arrive in upper case (TEMPORAL); the contract's values are lower case.
        .map(([k, v]) => [
          k,
          enumOptions.has(k) && typeof v === 'string' ? v.toLowerCase().replace(/_/g, '-') : v,
        ]),
    );
    const parsed = generationOptionsSchema.safeParse({
      model: limits.defaultModel,
      seed: randomSeed(),
      ...cleaned,
    });
    if (!parsed.success) {
      throw new DomainError(
        ErrorCode.InvalidInput,
        `invalid options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    }
    if (!limits.servedModels.includes(parsed.data.model)) {
      throw new DomainError(
        ErrorCode.InvalidInput,
        `options.model: this deployment does not serve ${JSON.stringify(parsed.data.model)}; it serves ${limits.servedModels.map((m) => JSON.stringify(m)).join(', ')}`,
        { field: 'options.model', servedModels: [...limits.servedModels] },
      );
    }
    // A seed the client did not give is drawn at random: it is not part of the request.
    return new CreateEditCommand(
      tenantId,
      image,
      targetCaption,
      parsed.data,
      groundTruth,
      idempotencyKey,
      cleaned.seed,
    );
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** At most one of the base64 and upload forms of an image; null when neither is given. */
function imageInput(
  base64: string | null | undefined,
  uploadId: string | null | undefined,
  base64Field: string,
  uploadField: string,
  limits: CreateEditLimits,
): ImageInput | null {
  const hasBase64 = base64 !== null && base64 !== undefined;
  const hasUpload = uploadId !== null && uploadId !== undefined;
  if (hasBase64 && hasUpload)
    throw new DomainError(ErrorCode.InvalidInput, `give ${base64Field} or ${uploadField}, not both`);
  if (hasUpload) {
    // Not a uuid: no upload has this id (the same answer as another tenant's or an unknown one).
    if (!UUID.test(uploadId))
      throw new DomainError(
        ErrorCode.NotFound,
        `${uploadField}: there is no upload ${JSON.stringify(uploadId)}`,
      );
    return { kind: 'upload', uploadId: uploadId.toLowerCase() };
  }
  if (hasBase64) return { kind: 'bytes', data: decodeBase64Image(base64, limits.maxImageBytes, base64Field) };
  return null;
}

/** Options that GraphQL sends as enum values (TEMPORAL, LAST_FRAME) for the contract's temporal, last-frame. */
const enumOptions = new Set(['captionMode', 'selection']);

export const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** JSON with keys in order, so that the same request always hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
