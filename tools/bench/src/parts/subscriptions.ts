import { GatewayClient, startTestPlatform } from '@f2f/harness';
import { Kafka, logLevel } from 'kafkajs';

import {
  type BenchContext,
  type BenchPart,
  type PartResult,
  GATEWAY_UNDER_LOAD,
  withServiceEnv,
} from '../part';
import { createEdits } from '../subscriptions/edits';
import { KafkaFloor } from '../subscriptions/kafka-floor';
import { type LiveSetup, type PhaseOptions, type PhaseResult, runPhase } from '../subscriptions/phase';
import { subscriptionsReport } from '../subscriptions/report';

/** Subscriber counts, in the order they run (the small and the large one interleaved, twice in the full run). */
const PLAN = {
  full: { counts: [10, 1000, 10, 1000], options: { events: 2000, ratePerSecond: 200 } },
  quick: { counts: [10, 50], options: { events: 200, ratePerSecond: 100 } },
};

async function measure(ctx: BenchContext): Promise<PartResult> {
  const plan = ctx.quick ? PLAN.quick : PLAN.full;
  const started = await startTestPlatform(
    ctx.infra,
    'benchsubs',
    withServiceEnv(ctx, {
      gateway: GATEWAY_UNDER_LOAD,
      edits: { MAX_UNFINISHED_EDITS_PER_TENANT: '100000' },
    }),
  );
  const { platform } = started;
  const kafka = new Kafka({
    clientId: 'bench-subscriptions',
    brokers: ctx.infra.kafkaBrokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer();
  const floor = new KafkaFloor(kafka, platform.options.topicPrefix);
  try {
    // The edits only need to exist (a subscription replays its edit's history first): with
    // captioning stopped they stay SUBMITTED, and their only feed entries are the benchmark's.
    await platform.kill('captioning');
    const count = Math.max(...plan.counts);
    ctx.log(`creating ${count} edits`);
    const editIds = await createEdits(new GatewayClient(platform.gatewayUrl, platform.apiKey), count);
    await producer.connect();
    await floor.start();
    const gatewayPid = platform.pid('gateway');
    if (gatewayPid === undefined) throw new Error('the gateway is not running');
    const setup: LiveSetup = {
      wsUrl: platform.gatewayUrl.replace(/^http/, 'ws'),
      apiKey: platform.apiKey,
      tenantId: platform.tenantId,
      topicPrefix: platform.options.topicPrefix,
      producer,
      floor,
      gatewayPid,
    };
    const options: PhaseOptions = { ...plan.options, threads: 2, connectTimeoutMs: 180_000 };
    const phases: PhaseResult[] = [];
    for (const n of plan.counts) {
      ctx.log(`${n} subscribers: connecting, then ${options.events} events at ${options.ratePerSecond}/s`);
      const phase = await runPhase(setup, editIds.slice(0, n), options);
      ctx.log(
        `${n} subscribers: p50 ${phase.latency.p50} ms, p95 ${phase.latency.p95} ms, p99 ${phase.latency.p99} ms, ` +
          `(plain Kafka consumer p50 ${phase.floor.p50} ms p95 ${phase.floor.p95} ms, ` +
          `produce ack p95 ${phase.acks.p95} ms), lost ${phase.lost}, connected in ${phase.connectMs} ms`,
      );
      phases.push(phase);
    }
    return subscriptionsReport(phases, options);
  } finally {
    await producer.disconnect().catch(() => undefined);
    await floor.stop().catch(() => undefined);
    await started.stop();
  }
}

export const subscriptions: BenchPart = {
  id: 'subscriptions',
  title: 'Live subscribers',
  summary:
    'Kafka event to graphql-ws message latency at 10 and 1,000 subscribers, and gateway memory per subscriber',
  run: measure,
};
