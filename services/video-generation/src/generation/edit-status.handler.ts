import { Topic } from '@f2f/contracts';
import { EventConsumer } from '@f2f/messaging';
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';

import { RecordCancellationUseCase } from './record-cancellation.use-case';

/**
 * edit.status in the service's consumer group: every cancellation is recorded once, also those
 * announced while no replica ran (the group resumes where it stopped).
 */
@Injectable()
export class EditStatusHandler implements OnModuleInit {
  constructor(
    private readonly consumer: EventConsumer,
    private readonly useCase: RecordCancellationUseCase,
  ) {}

  onModuleInit(): void {
    this.consumer.on(Topic.EditStatus, (event, ctx) =>
      this.useCase.execute(event, ctx).then(() => undefined),
    );
  }
}

/** The replica's own consumer of edit.status (a group of its own), built in app.module. */
export const BROADCAST_CONSUMER = Symbol('EditStatusBroadcastConsumer');

/**
 * edit.status to every replica, each in a consumer group of its own (a broadcast): whichever
 * replica runs an edit's generation sees the edit cancelled at once and stops the GPU work (the
 * service's group may be busy behind a long generation).
 */
@Injectable()
export class EditStatusBroadcastHandler implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(BROADCAST_CONSUMER) private readonly consumer: EventConsumer,
    private readonly useCase: RecordCancellationUseCase,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.consumer.on(Topic.EditStatus, (event, ctx) =>
      this.useCase.execute(event, ctx).then(() => undefined),
    );
    await this.consumer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
  }
}
