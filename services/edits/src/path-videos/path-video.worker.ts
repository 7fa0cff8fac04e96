import type { Logger } from '@f2f/common';
import { LOGGER } from '@f2f/platform';
import { context, type Context } from '@f2f/telemetry';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';

import { MakePathVideosUseCase } from './make-path-videos.use-case';

/**
 * Makes path videos in the background, one edit at a time, so that encoding never holds up an
 * event's handling or a query. Asked when an edit's video is generated and again when a client
 * asks for a video that is not there (so that one lost to a restart is made then); an edit asked
 * for while queued or running is not queued twice, and the use case makes each video once. Each
 * video is made in the trace that asked for it (the edit's, from video.generated), so its log lines
 * carry that trace id.
 */
@Injectable()
export class PathVideoWorker implements OnModuleDestroy {
  private readonly queued = new Map<string, { tenantId: string; asker: Context }>();
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly makeVideos: MakePathVideosUseCase,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  request(tenantId: string, editId: string): void {
    if (this.stopped || this.queued.has(editId)) return;
    this.queued.set(editId, { tenantId, asker: context.active() });
    this.running ??= this.drain().finally(() => (this.running = null));
  }

  /** Resolves when the queue is empty (tests). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async drain(): Promise<void> {
    for (const [editId, { tenantId, asker }] of this.queued) {
      await context.with(asker, () => this.make(tenantId, editId));
      this.queued.delete(editId);
      if (this.stopped) return;
    }
  }

  private async make(tenantId: string, editId: string): Promise<void> {
    try {
      const made = await this.makeVideos.execute(tenantId, editId);
      if (made.length > 0) this.logger.info({ editId, tenantId, candidates: made }, 'path videos made');
    } catch (error) {
      this.logger.warn({ err: error, editId, tenantId }, 'path video not made (made when next asked for)');
    }
  }
}
