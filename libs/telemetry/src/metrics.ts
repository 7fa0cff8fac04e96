import { collectDefaultMetrics, Counter, Gauge, Histogram, register, type Registry } from 'prom-client';

/**
 * Every metric the platform exports, in one place: services and libraries record into these, and
 * each process serves them on GET /metrics (prom-client's default registry, with a `service`
 * label). The dashboard test (infra/observability) checks that every panel names one of them.
 */
const STAGE_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

export const metrics = {
  graphqlRequests: new Counter({
    name: 'f2f_graphql_requests_total',
    help: 'GraphQL operations served, by operation name, type and outcome (ok or the error code).',
    labelNames: ['operation', 'type', 'outcome'] as const,
  }),
  graphqlDuration: new Histogram({
    name: 'f2f_graphql_request_duration_seconds',
    help: 'GraphQL operation latency, by operation name and type.',
    labelNames: ['operation', 'type'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  }),
  eventsHandled: new Counter({
    name: 'f2f_events_handled_total',
    help: 'Kafka events handled by a consumer, by event type and outcome (ok, retried, dead_lettered).',
    labelNames: ['consumer', 'event_type', 'outcome'] as const,
  }),
  stageDuration: new Histogram({
    name: 'f2f_stage_duration_seconds',
    help: "Time a stage's handler took for one event (all attempts), by consumer and event type.",
    labelNames: ['consumer', 'event_type'] as const,
    buckets: STAGE_BUCKETS,
  }),
  consumerLag: new Gauge({
    name: 'f2f_kafka_consumer_lag',
    help: 'Messages not yet committed by a consumer group, by group and topic (read at scrape time).',
    labelNames: ['group', 'topic'] as const,
  }),
  outboxBacklog: new Gauge({
    name: 'f2f_outbox_backlog',
    help: 'Outbox events written but not yet published to Kafka (read at scrape time).',
    labelNames: ['producer'] as const,
  }),
  outboxOldestAge: new Gauge({
    name: 'f2f_outbox_oldest_age_seconds',
    help: 'Age of the oldest unpublished outbox event; 0 when none waits.',
    labelNames: ['producer'] as const,
  }),
  outboxPublished: new Counter({
    name: 'f2f_outbox_published_total',
    help: 'Outbox events published to Kafka.',
    labelNames: ['producer'] as const,
  }),
  gpuPoolWorkers: new Gauge({
    name: 'f2f_gpu_pool_workers',
    help: 'GPU generator workers in the pool, by state (healthy, unhealthy).',
    labelNames: ['state'] as const,
  }),
  gpuPoolBusy: new Gauge({
    name: 'f2f_gpu_pool_busy_slots',
    help: 'Generation slots of the GPU pool in use.',
  }),
  gpuPoolCapacity: new Gauge({
    name: 'f2f_gpu_pool_capacity_slots',
    help: 'Generation slots of the GPU pool (healthy workers times their concurrency).',
  }),
  gpuPoolQueued: new Gauge({
    name: 'f2f_gpu_pool_queued',
    help: 'Generations waiting for a free GPU slot (the autoscaling signal of the pool).',
  }),
  generations: new Counter({
    name: 'f2f_generations_total',
    help: 'Video generations on a GPU worker, by outcome.',
    labelNames: ['outcome'] as const,
  }),
  vlmCalls: new Counter({
    name: 'f2f_vlm_calls_total',
    help: 'Vision-language model calls, by purpose, model and outcome (ok or error).',
    labelNames: ['purpose', 'model', 'outcome'] as const,
  }),
  vlmTokens: new Counter({
    name: 'f2f_vlm_tokens_total',
    help: 'Tokens of vision-language model calls, by purpose, model and kind (prompt, completion).',
    labelNames: ['purpose', 'model', 'kind'] as const,
  }),
  vlmDuration: new Histogram({
    name: 'f2f_vlm_call_duration_seconds',
    help: 'Vision-language model call latency, by purpose.',
    labelNames: ['purpose'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
  }),
  framesWritten: new Counter({
    name: 'f2f_frames_written_total',
    help: 'Frames stored (generated candidates), by service.',
  }),
  framesMeasured: new Counter({
    name: 'f2f_frames_measured_total',
    help: 'Frames whose metrics were recorded, by when they were measured (as_they_landed, after_video_generated).',
    labelNames: ['when'] as const,
  }),
  blobBytesWritten: new Counter({
    name: 'f2f_blob_bytes_written_total',
    help: 'Bytes written to the blob store (frames, uploads, previews).',
  }),
  webhookDeliveries: new Counter({
    name: 'f2f_webhook_deliveries_total',
    help: 'Webhook delivery attempts, by outcome (delivered, failed, gave_up).',
    labelNames: ['outcome'] as const,
  }),
  editsUnfinished: new Gauge({
    name: 'f2f_edits_unfinished',
    help: 'Edits not yet completed, failed or cancelled (read at scrape time).',
  }),
  editsOldestUnfinishedAge: new Gauge({
    name: 'f2f_edits_oldest_unfinished_age_seconds',
    help: 'Age of the oldest unfinished edit; 0 when none (the stuck-edits alert).',
  }),
  editsFinished: new Counter({
    name: 'f2f_edits_finished_total',
    help: 'Edits that reached a final status, by status.',
    labelNames: ['status'] as const,
  }),
};

/** Gauges read at scrape time: each source adds what it knows (an outbox, a consumer group...). */
type ScrapeSource = () => Promise<void>;
const sources = new Set<ScrapeSource>();

/**
 * Registers a function run before each scrape that sets gauges (e.g. the outbox backlog read from
 * the database). A source that fails is skipped: its gauges keep their last values. Returns the
 * function that removes it.
 */
export function onScrape(source: ScrapeSource): () => void {
  sources.add(source);
  return () => sources.delete(source);
}

let defaultsCollected = false;

/** Names the process in every series (`service`) and adds Node's own metrics (once per process). */
export function initMetrics(serviceName: string): Registry {
  register.setDefaultLabels({ service: serviceName });
  if (!defaultsCollected) {
    collectDefaultMetrics({ prefix: 'f2f_process_' });
    defaultsCollected = true;
  }
  return register;
}

/** The text exposition of every metric, after the scrape-time sources ran (each bounded to 2 s). */
export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  await Promise.all(
    [...sources].map((source) =>
      Promise.race([source(), new Promise((resolve) => setTimeout(resolve, 2000).unref())]).catch(
        () => undefined,
      ),
    ),
  );
  return { contentType: register.contentType, body: await register.metrics() };
}

/** Every metric name the platform defines (the dashboard and alert tests check against it). */
export function metricNames(): string[] {
  return register.getMetricsAsArray().map((m) => m.name);
}
