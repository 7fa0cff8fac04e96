import type { Logger } from '@f2f/common';
import { LOGGER } from '@f2f/platform';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';

import { UPLOAD_SETTINGS, type UploadSettings } from '../upload-settings';
import { SweepUploadsUseCase } from './sweep-uploads.use-case';

/** Runs the sweep of expired uploads every UPLOAD_SWEEP_INTERVAL_SECONDS (0: never). */
@Injectable()
export class UploadSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly sweep: SweepUploadsUseCase,
    @Inject(UPLOAD_SETTINGS) private readonly settings: UploadSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.settings.sweepIntervalSeconds;
    if (!every) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.sweep
        .execute()
        .catch((err: unknown) => this.logger.warn({ err }, 'sweeping expired uploads failed'))
        .finally(() => (this.running = undefined));
    }, every * 1000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
