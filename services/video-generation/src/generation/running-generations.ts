import { Injectable } from '@nestjs/common';

/** The generations running in this process, by edit, so that cancelling an edit stops its GPU work. */
@Injectable()
export class RunningGenerations {
  private readonly running = new Map<string, AbortController>();
  private readonly cancelled = new Set<string>();

  /** An abort signal for an edit's generation; already aborted when the edit was cancelled before. */
  start(editId: string): AbortSignal {
    const controller = new AbortController();
    if (this.cancelled.has(editId)) controller.abort();
    this.running.set(editId, controller);
    return controller.signal;
  }

  finish(editId: string): void {
    this.running.delete(editId);
  }

  cancel(editId: string): boolean {
    this.cancelled.add(editId);
    if (this.cancelled.size > 10_000) this.cancelled.delete(this.cancelled.values().next().value as string);
    const controller = this.running.get(editId);
    controller?.abort();
    return controller !== undefined;
  }
}
