import { asTenantId } from '@f2f/database';
import { BLOB_STORE } from '@f2f/platform';
import type { BlobStore } from '@f2f/storage';
import { Inject, Injectable } from '@nestjs/common';

import type { VideoEncoder } from './ffmpeg-encoder';
import { PathVideosRepository } from './path-videos.repository';

export const VIDEO_ENCODER = Symbol('VIDEO_ENCODER');

/** The blob of a candidate's path video: beside the edit's frames, under the tenant's prefix. */
export const pathVideoKey = (firstFrameKey: string, candidate: number): string =>
  `${firstFrameKey.slice(0, firstFrameKey.lastIndexOf('/') + 1)}path-${candidate}.mp4`;

/**
 * Makes the MP4 of every candidate of an edit whose frames are all stored, once: a candidate that
 * has its video, or not all its frames yet, is left alone. Answers the candidates it made.
 */
@Injectable()
export class MakePathVideosUseCase {
  constructor(
    private readonly repository: PathVideosRepository,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    @Inject(VIDEO_ENCODER) private readonly encoder: VideoEncoder,
  ) {}

  async execute(tenant: string, editId: string): Promise<number[]> {
    const tenantId = asTenantId(tenant);
    const source = await this.repository.source(tenantId, editId);
    if (!source) return [];
    const made: number[] = [];
    for (let candidate = 0; candidate < source.candidates; candidate++) {
      if (await this.repository.find(tenantId, editId, candidate)) continue;
      const keys = await this.repository.frameKeys(tenantId, editId, candidate);
      if (keys.length < source.frameCount) continue;
      const frames = await Promise.all(keys.map((k) => this.blobs.get(k)));
      const video = await this.encoder.encodeMp4(frames, source.fps);
      const blobKey = pathVideoKey(keys[0], candidate);
      await this.blobs.put(blobKey, video, 'video/mp4');
      await this.repository.record({
        tenantId,
        editId,
        candidate,
        blobKey,
        frameCount: frames.length,
        fps: source.fps,
        bytes: video.length,
      });
      made.push(candidate);
    }
    return made;
  }
}
