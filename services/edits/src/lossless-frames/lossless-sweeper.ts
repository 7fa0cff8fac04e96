import type { Logger } from '@f2f/common';
import { LOGGER } from '@f2f/platform';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';

import { PeriodicTask } from '../operations/periodic-task';
import { LosslessFrames } from './lossless-frames';

/**
 * Prunes the lossless copies of edits past LOSSLESS_COPIES_KEPT_HOURS (and of final edits whose
 * prune failed) every LOSSLESS_SWEEP_INTERVAL_SECONDS (0: never).
 */
@Injectable()
export class LosslessSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly task: PeriodicTask;

  constructor(
    private readonly lossless: LosslessFrames,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.task = new PeriodicTask('sweeping lossless frame copies', () => lossless.sweep(), logger);
  }

  onApplicationBootstrap(): void {
    this.task.start(this.lossless.settings.sweepIntervalSeconds);
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }
}
