import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { metrics, onScrape } from '@f2f/telemetry';

import { EditGaugesRepository } from './edit-gauges.repository';

/** Sets f2f_edits_unfinished and f2f_edits_oldest_unfinished_age_seconds at each scrape. */
@Injectable()
export class EditGauges implements OnModuleInit, OnModuleDestroy {
  private stop: (() => void) | undefined;

  constructor(private readonly repository: EditGaugesRepository) {}

  onModuleInit(): void {
    this.stop = onScrape(async () => {
      const { count, oldestAgeSeconds } = await this.repository.unfinished();
      metrics.editsUnfinished.set(count);
      metrics.editsOldestUnfinishedAge.set(oldestAgeSeconds);
    });
  }

  onModuleDestroy(): void {
    this.stop?.();
  }
}
