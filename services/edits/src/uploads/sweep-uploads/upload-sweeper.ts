import type { Logger } from '@f2f/common';
import { LOGGER } from '@f2f/platform';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';

import { PeriodicTask } from '../../operations/periodic-task';
import { UPLOAD_SETTINGS, type UploadSettings } from '../upload-settings';
import { SweepUploadsUseCase } from './sweep-uploads.use-case';

/** Runs the sweep of expired uploads every UPLOAD_SWEEP_INTERVAL_SECONDS (0: never). */
@Injectable()
export class UploadSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly task: PeriodicTask;

  constructor(
    sweep: SweepUploadsUseCase,
    @Inject(UPLOAD_SETTINGS) private readonly settings: UploadSettings,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.task = new PeriodicTask('sweeping expired uploads', () => sweep.execute(), logger);
  }

  onApplicationBootstrap(): void {
    this.task.start(this.settings.sweepIntervalSeconds);
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }
}
