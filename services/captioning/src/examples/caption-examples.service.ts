import { randomUUID } from 'node:crypto';

import { assertStorableText, DomainError, ErrorCode } from '@f2f/common';
import type { TenantId } from '@f2f/database';
import { decodeBase64Image, ImageInspector } from '@f2f/imaging';
import { BLOB_STORE } from '@f2f/platform';
import type { BlobStore } from '@f2f/storage';
import { Inject, Injectable } from '@nestjs/common';
import sharp from 'sharp';

import {
  BUILTIN_EXAMPLE_SETS,
  type BuiltinExampleSet,
  type CaptionExample,
  checkTemporalCaption,
  TEMPORAL_CAPTION_PROMPT_VERSION,
} from '../caption/temporal-caption.prompt';
import {
  CAPTION_EXAMPLES,
  type CaptionExampleRecord as CaptionExampleRow,
  type CaptionExamplesRepository,
} from '../persistence/caption-examples.repository';

export const CAPTION_EXAMPLE_LIMITS = Symbol('CaptionExampleLimits');
export interface CaptionExampleLimits {
  /** Examples a tenant may keep (each is a turn of every captioning prompt). */
  maxExamples: number;
  maxImageBytes: number;
  maxImagePixels: number;
  /** The built-in examples of tenants without their own (CAPTION_EXAMPLE_SET; default project). */
  builtinSet?: BuiltinExampleSet;
}

export interface AddCaptionExampleInput {
  targetCaption: string;
  temporalCaption: string;
  imageBase64?: string | null;
}

/** The examples a prompt is built with, which set they are, and the prompt version they make. */
export interface ExampleSet {
  name: BuiltinExampleSet | 'tenant';
  promptVersion: string;
  examples: readonly CaptionExample[];
}

const MAX_CAPTION = 400;

/**
 * A tenant's own in-context examples for the temporal caption (paper B.1: target caption, temporal
 * caption, and the example's source image). A tenant with examples gets them instead of the
 * paper's nine; images are checked like sources and kept in the blob store.
 */
@Injectable()
export class CaptionExamplesService {
  constructor(
    @Inject(CAPTION_EXAMPLES) private readonly repository: CaptionExamplesRepository,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    @Inject(CAPTION_EXAMPLE_LIMITS) private readonly limits: CaptionExampleLimits,
    private readonly inspector: ImageInspector,
  ) {}

  list(tenantId: TenantId): Promise<CaptionExampleRow[]> {
    return this.repository.list(tenantId);
  }

  async add(tenantId: TenantId, input: AddCaptionExampleInput): Promise<CaptionExampleRow> {
    const targetCaption = cleanCaption(input.targetCaption, 'targetCaption');
    const temporal = checkTemporalCaption(cleanCaption(input.temporalCaption, 'temporalCaption'));
    if (!temporal.ok) {
      throw new DomainError(ErrorCode.InvalidCaption, `temporalCaption: ${temporal.reason}`);
    }
    const id = randomUUID();
    let image: { key: string; mime: string } | null = null;
    if (input.imageBase64 !== null && input.imageBase64 !== undefined) {
      const data = decodeBase64Image(input.imageBase64, this.limits.maxImageBytes);
      const info = await this.inspector.inspect(
        data,
        { maxBytes: this.limits.maxImageBytes, maxPixels: this.limits.maxImagePixels, minSide: 16 },
        'the example image',
      );
      const key = `tenants/${tenantId}/caption-examples/${id}.${info.format === 'jpeg' ? 'jpg' : info.format}`;
      await this.blobs.put(key, data, info.mime);
      image = { key, mime: info.mime };
    }
    const result = await this.repository.addCapped(
      {
        id,
        tenantId,
        targetCaption,
        temporalCaption: temporal.caption,
        imageKey: image?.key ?? null,
        imageMime: image?.mime ?? null,
      },
      this.limits.maxExamples,
    );
    if ('count' in result) {
      if (image) await this.blobs.delete(image.key).catch(() => undefined);
      throw new DomainError(
        ErrorCode.Conflict,
        `the tenant already has ${result.count} caption examples; the limit is ${this.limits.maxExamples}`,
      );
    }
    return result.added;
  }

  /** Removes one of the tenant's examples; another tenant's id is "not found". */
  async remove(tenantId: TenantId, id: string): Promise<boolean> {
    if (!(await this.repository.remove(tenantId, id)))
      throw new DomainError(ErrorCode.NotFound, `no caption example ${id}`);
    return true;
  }

  /** The examples a tenant's prompts use: its own (with images, made small), or the built-in set. */
  async exampleSetFor(tenantId: string): Promise<ExampleSet> {
    const rows = await this.repository.list(tenantId);
    if (rows.length === 0) {
      const name = this.limits.builtinSet ?? 'project';
      return { name, ...BUILTIN_EXAMPLE_SETS[name] };
    }
    const examples = await Promise.all(
      rows.map(async (row): Promise<CaptionExample> => {
        const base = { targetCaption: row.targetCaption, temporalCaption: row.temporalCaption };
        if (!row.imageKey) return base;
        const data = await sharp(await this.blobs.get(row.imageKey))
          .rotate()
          .resize(512, 512, { fit: 'inside', withoutEnlargement: true })
          .jpeg({ quality: 85 })
          .toBuffer();
        return { ...base, image: { data, mime: 'image/jpeg' } };
      }),
    );
    return { name: 'tenant', promptVersion: TEMPORAL_CAPTION_PROMPT_VERSION, examples };
  }
}

function cleanCaption(value: string, field: string): string {
  const caption = assertStorableText(value, field, ErrorCode.InvalidCaption).replace(/\s+/g, ' ').trim();
  if (!caption) throw new DomainError(ErrorCode.InvalidCaption, `${field} is empty`);
  if (caption.length > MAX_CAPTION) {
    throw new DomainError(
      ErrorCode.InvalidCaption,
      `${field} has ${caption.length} characters; the limit is ${MAX_CAPTION}`,
    );
  }
  if (/\p{Cc}/u.test(caption)) {
    throw new DomainError(ErrorCode.InvalidCaption, `${field} contains control characters`);
  }
  return caption;
}
