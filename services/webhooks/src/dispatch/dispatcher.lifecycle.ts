import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';

import { WebhookDispatcher } from './webhook-dispatcher';

/** Runs the dispatcher loop while the service is up; on shutdown waits for the attempts in flight. */
@Injectable()
export class DispatcherLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(private readonly dispatcher: WebhookDispatcher) {}

  onApplicationBootstrap(): void {
    this.dispatcher.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.dispatcher.stop();
  }
}
