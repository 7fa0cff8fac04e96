import { type FrameRef, Topic } from '@f2f/contracts';

import type { AnnouncedFrame, FrameMetricValues } from '../persistence/frames';
import type { StageEvent } from './edit-state';

/**
 * The frames a stage event announces with every detail (video.progress, video.generated), and how
 * many it announces without them: an event published before frames carried their details comes
 * from a video-generation that stored the row itself, so such a frame is left as it is.
 */
export function announcedFrames(event: StageEvent): { complete: AnnouncedFrame[]; incomplete: number } {
  if (event.type !== Topic.VideoProgress && event.type !== Topic.VideoGenerated) {
    return { complete: [], incomplete: 0 };
  }
  const complete = event.payload.frames.flatMap(toAnnouncedFrame);
  return { complete, incomplete: event.payload.frames.length - complete.length };
}

function toAnnouncedFrame(ref: FrameRef): AnnouncedFrame[] {
  const { rawBlobKey, seed, width, height, bytes, sha256 } = ref;
  if (
    rawBlobKey === undefined ||
    seed === undefined ||
    width === undefined ||
    height === undefined ||
    bytes === undefined ||
    sha256 === undefined
  ) {
    return [];
  }
  const { candidate, index, frameId, blobKey } = ref;
  return [{ candidate, index, frameId, blobKey, rawBlobKey, seed, width, height, bytes, sha256 }];
}

/** Every frame's metrics a metrics.computed announces (its `series`); none for other events. */
export function announcedMetrics(event: StageEvent): FrameMetricValues[] {
  if (event.type !== Topic.MetricsComputed) return [];
  return event.payload.series.map(
    ({ candidate, index, ssim, psnr, lpips, clipI, clipScore, clipCosine }) => ({
      candidate,
      index,
      ssim,
      psnr,
      lpips,
      clipI,
      // An event published before clipCosine existed carries the raw cosine as its clipScore.
      ...(clipCosine === undefined
        ? { clipScore: clipScore === null ? null : 2.5 * Math.max(clipScore, 0), clipCosine: clipScore }
        : { clipScore, clipCosine }),
    }),
  );
}
