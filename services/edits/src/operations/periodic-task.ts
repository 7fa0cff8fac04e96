import type { Logger } from '@f2f/common';

/**
 * Runs a task every `everySeconds` (0: never) in the background of a service: one run at a time (a
 * tick while one runs is skipped), a failure logged and retried at the next tick, and the run in
 * progress awaited on shutdown.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly what: string,
    private readonly task: () => Promise<unknown>,
    private readonly logger: Logger,
  ) {}

  start(everySeconds: number): void {
    if (!everySeconds) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.task()
        .catch((err: unknown) => this.logger.warn({ err }, `${this.what} failed`))
        .finally(() => (this.running = undefined));
    }, everySeconds * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
