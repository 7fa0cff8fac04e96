import { DomainError } from '@f2f/common';
import sharp from 'sharp';

import { type ImageInfo, type ImageLimits, inspectImageInThisThread } from './inspect';

// Nothing kept between images (libvips' operation cache is off): decode memory is bounded by the
// pixel limit, one image at a time per thread. sharp.concurrency is process-wide and left alone, so
// that the service's own image work (frames, collages) keeps its threads.
sharp.cache(false);

export interface InspectTask {
  data: Uint8Array;
  limits: ImageLimits;
  label: string;
  timeoutSeconds: number;
}

/** DomainError does not survive the copy between threads: its fields do. */
export type InspectResult =
  | { info: ImageInfo }
  | { error: { code: DomainError['code']; message: string; details?: Record<string, unknown> } };

/** The entry point of ImageInspector's worker threads (piscina calls the default export). */
export default async function inspect(task: InspectTask): Promise<InspectResult> {
  const data = Buffer.from(task.data.buffer, task.data.byteOffset, task.data.byteLength);
  try {
    return { info: await inspectImageInThisThread(data, task.limits, task.label, task.timeoutSeconds) };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return { error: { code: error.code, message: error.message, details: error.details } };
  }
}
