import { createHash } from 'node:crypto';

import { DomainError, ErrorCode } from '@f2f/common';
import { generationOptionsSchema, type GenerationOptions } from '@f2f/contracts';
import type { TenantId } from '@f2f/database';
import { decodeBase64Image } from '@f2f/imaging';

export interface CreateEditLimits {
  maxImageBytes: number;
  maxCaptionLength: number;
  /** The video model an edit uses when it names none (the deployment's GPU pool). */
  defaultModel: string;
}

export interface CreateEditInput {
  imageBase64: string;
  targetCaption: string;
  /** A ground-truth target image (the PosEdit protocol), base64 like the source. */
  groundTruthBase64?: string | null;
  options?: Partial<Record<keyof GenerationOptions, unknown>> | null;
  /** Makes the request safe to repeat: unique per tenant. */
  idempotencyKey?: string | null;
}

/** Visible ASCII (no spaces or control characters), 1..200 characters. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/** A validated request to create an edit: building one is validating it. */
export class CreateEditCommand {
  private constructor(
    readonly tenantId: TenantId,
    readonly image: Buffer,
    readonly targetCaption: string,
    readonly options: GenerationOptions,
    readonly groundTruth: Buffer | null,
    readonly idempotencyKey: string | null,
    /** What makes two requests the same: the image's and ground truth's digests, caption and options. */
    readonly requestHash: string,
  ) {}

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
    const image = decodeBase64Image(input.imageBase64, limits.maxImageBytes);
    const groundTruth =
      input.groundTruthBase64 === null || input.groundTruthBase64 === undefined
        ? null
        : decodeBase64Image(input.groundTruthBase64, limits.maxImageBytes, 'groundTruthBase64');
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
    // A seed the client did not give is drawn at random: it is not part of the request.
    const requestHash = sha256(
      canonicalJson({
        image: sha256(image),
        groundTruth: groundTruth ? sha256(groundTruth) : null,
        targetCaption,
        options: { ...parsed.data, seed: cleaned.seed ?? null },
      }),
    );
    return new CreateEditCommand(
      tenantId,
      image,
      targetCaption,
      parsed.data,
      groundTruth,
      idempotencyKey,
      requestHash,
    );
  }
}

/** Options that GraphQL sends as enum values (TEMPORAL, LAST_FRAME) for the contract's temporal, last-frame. */
const enumOptions = new Set(['captionMode', 'selection']);

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** JSON with keys in order, so that the same request always hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
