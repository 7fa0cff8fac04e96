import { DomainError, ErrorCode } from '@f2f/common';
import type { TenantId } from '@f2f/database';
import { decodeBase64Image } from '@f2f/imaging';
import {
  EVAL_SIZE,
  EvalImageError,
  type ImageScores,
  type LearnedMetrics,
  randomNetworks,
  scoreEncoded,
} from '@f2f/learned-metrics';
import { Inject, Injectable } from '@nestjs/common';

import { LEARNED_METRICS } from '../measurement/learned-metrics.provider';

/** Results one scoreImages call may score (each is up to three images through both networks). */
export const MAX_SCORED_ITEMS = 16;
/** Encoded bytes of one image of scoreImages. */
export const MAX_SCORED_IMAGE_BYTES = 20 * 1024 * 1024;

export interface ScoreImageItem {
  id?: string | null;
  resultBase64: string;
  sourceBase64: string;
  targetCaption: string;
  groundTruthBase64?: string | null;
}

export interface ScoredImages {
  /** The model set that measured (LearnedMetrics.modelId). */
  models: string;
  /** LPIPS' input size of that set (512 for the paper's protocol). */
  lpipsSize: number;
  /** Every image is resized to this before it is measured. */
  evalSize: number;
  randomLpips: boolean;
  randomClip: boolean;
  scores: (ImageScores & { id: string })[];
}

/**
 * scoreImages: already-edited images scored with the platform's own networks and the evaluation
 * protocol (resized to 512×512; both LPIPS input ranges; CLIPScore). Nothing is stored; the tenant
 * scope only says who may call it.
 */
@Injectable()
export class ScoreImagesUseCase {
  constructor(@Inject(LEARNED_METRICS) private readonly learned: LearnedMetrics | null) {}

  async score(_tenantId: TenantId, items: readonly ScoreImageItem[]): Promise<ScoredImages> {
    const models = this.learned;
    if (!models)
      throw new DomainError(
        ErrorCode.Unavailable,
        'this platform runs without learned metrics (METRIC_MODELS_DIR is not set): nothing can be scored',
      );
    if (items.length === 0 || items.length > MAX_SCORED_ITEMS)
      throw new DomainError(
        ErrorCode.InvalidInput,
        `items: give 1 to ${MAX_SCORED_ITEMS} images to score, got ${items.length}`,
      );
    // Everything is decoded and checked before anything runs through the networks.
    const decoded = items.map((item, i) => {
      const caption = item.targetCaption.trim();
      if (!caption || caption.length > 2000)
        throw new DomainError(
          ErrorCode.InvalidCaption,
          `items[${i}].targetCaption must hold 1..2000 characters`,
        );
      const image = (value: string, field: string) =>
        decodeBase64Image(value, MAX_SCORED_IMAGE_BYTES, `items[${i}].${field}`);
      return {
        id: item.id?.trim() || String(i),
        label: `items[${i}]`,
        caption,
        result: image(item.resultBase64, 'resultBase64'),
        source: image(item.sourceBase64, 'sourceBase64'),
        groundTruth: item.groundTruthBase64 ? image(item.groundTruthBase64, 'groundTruthBase64') : null,
      };
    });
    const scores: ScoredImages['scores'] = [];
    for (const item of decoded) {
      try {
        scores.push({ id: item.id, ...(await scoreEncoded(models, item)) });
      } catch (error) {
        if (error instanceof EvalImageError) throw new DomainError(ErrorCode.InvalidImage, error.message);
        throw error;
      }
    }
    const random = randomNetworks(models.manifest);
    return {
      models: models.modelId,
      lpipsSize: models.lpipsSize,
      evalSize: EVAL_SIZE,
      randomLpips: random.lpips,
      randomClip: random.clip,
      scores,
    };
  }
}
