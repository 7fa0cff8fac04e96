import type { Clock, Logger } from '@f2f/common';
import { metrics } from '@f2f/telemetry';

import type {
  ClaimedDelivery,
  NextStep,
  WebhookDeliveriesRepository,
} from '../deliveries/webhook-deliveries.repository';
import type { SecretBox } from '../signing/secret-box';
import { SIGNATURE_HEADER, signatureHeader } from '../signing/webhook-signature';

import type { HttpWebhookSender, WebhookResponse } from './http-sender';
import { nextRetryDelayMs, type RetrySchedule } from './retry-schedule';

export interface DispatcherOptions {
  batchSize: number;
  pollIntervalMs: number;
  /** One attempt's timeout: a claim lasts well beyond it. */
  timeoutMs: number;
  schedule: RetrySchedule;
  random?: () => number;
}

export const USER_AGENT = 'Frame2Frame-Webhooks/1';

/** A 2xx answer is a delivered event; anything else (3xx included: redirects are not followed) is not. */
export const isSuccess = (statusCode: number | null): boolean =>
  statusCode !== null && statusCode >= 200 && statusCode < 300;

/**
 * Sends due deliveries: claims a batch (SKIP LOCKED, safe with several replicas), signs and POSTs
 * each, records every attempt, and schedules the next one with backoff or marks the delivery done
 * or failed. The schedule lives in the database, so a restart loses nothing; a claim that a dead
 * replica left behind becomes due again when its lease lapses.
 */
export class WebhookDispatcher {
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private wakeRequested = false;

  constructor(
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly secrets: SecretBox,
    private readonly sender: HttpWebhookSender,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: DispatcherOptions,
  ) {}

  get leaseMs(): number {
    return this.options.timeoutMs * 2 + 5_000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops claiming and waits for the attempts in flight (each bounded by the timeout). */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  /** Looks for due deliveries now (after an event was recorded, or a redelivery was asked for). */
  wake(): void {
    this.wakeRequested = true;
    this.wakeUp?.();
  }

  /** Claims and sends one batch; returns how many deliveries it attempted. */
  async runOnce(): Promise<number> {
    const claimed = await this.deliveries.claimDue(this.options.batchSize, this.leaseMs);
    await Promise.all(claimed.map((d) => this.deliver(d)));
    return claimed.length;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let attempted = 0;
      try {
        attempted = await this.runOnce();
      } catch (err) {
        this.logger.error({ err }, 'webhook dispatch failed; retrying after the poll interval');
      }
      if (attempted >= this.options.batchSize || !this.running) continue;
      await this.idle();
    }
  }

  private idle(): Promise<void> {
    if (this.wakeRequested) {
      this.wakeRequested = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.options.pollIntervalMs);
      const self = this; // eslint-disable-line @typescript-eslint/no-this-alias
      function done() {
        clearTimeout(timer);
        self.wakeUp = undefined;
        self.wakeRequested = false;
        resolve();
      }
      this.wakeUp = done;
    });
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    const logger = this.logger.child({
      tenantId: delivery.tenantId,
      webhookId: delivery.endpointId,
      deliveryId: delivery.id,
      eventId: delivery.eventId,
      attempt: delivery.attempt,
    });
    const startedAt = this.clock.now();
    let response: WebhookResponse;
    let headers: Record<string, string>;
    try {
      headers = this.headers(delivery, startedAt);
    } catch (err) {
      // The secret cannot be decrypted (WEBHOOK_SECRET_ENCRYPTION_KEY changed): nothing is sent unsigned.
      logger.error({ err }, 'cannot sign the webhook: the endpoint secret does not decrypt');
      headers = {};
    }
    try {
      response = headers['f2f-signature']
        ? await this.sender.send({ url: delivery.url, body: delivery.body, headers })
        : {
            statusCode: null,
            latencyMs: 0,
            error: 'the signing secret cannot be decrypted (rotate it)',
            responseBody: null,
          };
    } catch (err) {
      // Only a bug gets here (the sender answers failures as results); count it as a failed attempt.
      response = { statusCode: null, latencyMs: 0, error: String(err).slice(0, 1000), responseBody: null };
    }
    const next = this.nextStep(delivery, response);
    const recorded = await this.deliveries.recordAttempt(
      delivery,
      {
        startedAt,
        ...response,
        error: response.error ?? (isSuccess(response.statusCode) ? null : `HTTP ${response.statusCode}`),
      },
      next,
    );
    metrics.webhookDeliveries.inc({
      outcome: next.status === 'SUCCEEDED' ? 'delivered' : next.status === 'FAILED' ? 'gave_up' : 'failed',
    });
    const result = {
      statusCode: response.statusCode,
      latencyMs: response.latencyMs,
      error: response.error,
      next: next.status,
    };
    if (!recorded)
      logger.warn(
        result,
        'webhook attempt recorded, but the delivery had moved on (lease lapsed or redelivered)',
      );
    else if (next.status === 'SUCCEEDED') logger.info(result, 'webhook delivered');
    else if (next.status === 'FAILED') logger.warn(result, 'webhook delivery failed for good');
    else logger.info({ ...result, retryInMs: next.retryInMs }, 'webhook attempt failed; will retry');
  }

  private nextStep(delivery: ClaimedDelivery, response: WebhookResponse): NextStep {
    if (isSuccess(response.statusCode)) return { status: 'SUCCEEDED' };
    const delay = nextRetryDelayMs(delivery.attemptInRound, this.options.schedule, this.options.random);
    return delay === null ? { status: 'FAILED' } : { status: 'PENDING', retryInMs: delay };
  }

  private headers(delivery: ClaimedDelivery, at: Date): Record<string, string> {
    const secrets = [this.secrets.open(delivery.secretCiphertext, delivery.endpointId)];
    if (
      delivery.previousSecretCiphertext &&
      delivery.previousSecretExpiresAt &&
      delivery.previousSecretExpiresAt > at
    )
      secrets.push(this.secrets.open(delivery.previousSecretCiphertext, delivery.endpointId));
    return {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      'f2f-webhook-id': delivery.endpointId,
      'f2f-event-id': delivery.eventId,
      'f2f-event-type': delivery.eventType,
      'f2f-delivery-id': delivery.id,
      'f2f-delivery-attempt': String(delivery.attempt),
      [SIGNATURE_HEADER.toLowerCase()]: signatureHeader(
        secrets,
        Math.floor(at.getTime() / 1000),
        delivery.body,
      ),
    };
  }
}
