import { readFile } from 'node:fs/promises';

import { topicName, Topic } from '@f2f/contracts';
import type { Producer } from 'kafkajs';

import { progressEvent } from './feed-events';
import type { KafkaFloor } from './kafka-floor';
import { type LatencySummary, rssFromProcStatus, summarize } from './latency';
import { Subscribers } from './subscribers';

/** Where the phases run: the platform's gateway, its tenant, and a producer on its topics. */
export interface LiveSetup {
  /** The gateway's graphql-ws endpoint (ws://…/graphql). */
  wsUrl: string;
  apiKey: string;
  tenantId: string;
  topicPrefix: string;
  producer: Producer;
  /** A plain consumer of the same topic: the broker's share of the latency. */
  floor: KafkaFloor;
  gatewayPid: number;
}

export interface PhaseOptions {
  /** edit.status events sent in all, round-robin over the subscribers. */
  events: number;
  /** Their pace (the same at every subscriber count, so that only the count changes). */
  ratePerSecond: number;
  threads: number;
  connectTimeoutMs: number;
}

export interface PhaseResult {
  subscribers: number;
  latency: LatencySummary;
  /** Every event's latency, ms (for pooling repeated phases). */
  latencies: number[];
  /** The same events' arrival at a plain kafkajs consumer (the floor under the gateway). */
  floor: LatencySummary;
  floorLatencies: number[];
  /** The broker's acknowledgement of each event (acks=all), from the same send time. */
  acks: LatencySummary;
  /** Events sent whose message never reached their subscriber. */
  lost: number;
  /** From the first connection to every subscriber having its history. */
  connectMs: number;
  rssBefore: number;
  rssAfter: number;
}

export async function gatewayRss(pid: number): Promise<number> {
  return rssFromProcStatus(await readFile(`/proc/${pid}/status`, 'utf8'));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sends the events at the given pace; each one's send time (Date.now() just before it is produced). */
async function produce(
  setup: LiveSetup,
  editIds: readonly string[],
  subscribers: Subscribers,
  options: PhaseOptions,
): Promise<{ sent: { index: number; seq: number; sentAt: number }[]; acks: LatencySummary }> {
  const topic = topicName(setup.topicPrefix, Topic.EditStatus);
  const nextSeq = subscribers.states.map((s) => s.lastSeq + 1);
  const sent: { index: number; seq: number; sentAt: number }[] = [];
  const failures: unknown[] = [];
  const acks: number[] = [];
  const intervalMs = 1000 / options.ratePerSecond;
  const start = Date.now();
  for (let k = 0; k < options.events;) {
    const due = Math.min(options.events, Math.floor((Date.now() - start) / intervalMs) + 1);
    for (; k < due; k++) {
      const index = k % editIds.length;
      const seq = nextSeq[index]++;
      const value = progressEvent(setup.tenantId, editIds[index], seq, k % 50);
      const sentAt = Date.now();
      sent.push({ index, seq, sentAt });
      setup.producer
        .send({ topic, messages: [{ key: editIds[index], value }] })
        .then(() => acks.push(Date.now() - sentAt))
        .catch((error: unknown) => failures.push(error));
    }
    await sleep(1);
  }
  if (failures.length > 0) throw new Error(`${failures.length} events not produced: ${String(failures[0])}`);
  while (acks.length < sent.length && failures.length === 0) await sleep(10);
  return { sent, acks: summarize(acks) };
}

/**
 * One phase: N subscribers connect (each its own graphql-ws client on its own edit), then
 * `events` edit.status events go to Kafka, round-robin over them; the latency of each is its
 * message's arrival at its client minus its send time.
 */
export async function runPhase(
  setup: LiveSetup,
  editIds: readonly string[],
  options: PhaseOptions,
): Promise<PhaseResult> {
  const rssBefore = await gatewayRss(setup.gatewayPid);
  const connectStart = Date.now();
  const subscribers = new Subscribers(setup.wsUrl, setup.apiKey, editIds, options.threads);
  try {
    await subscribers.ready(options.connectTimeoutMs);
    const connectMs = Date.now() - connectStart;
    const rssAfter = await gatewayRss(setup.gatewayPid);
    const { sent, acks } = await produce(setup, editIds, subscribers, options);
    const arrived = () => sent.every((s) => subscribers.states[s.index].arrivals.has(s.seq));
    for (const deadline = Date.now() + 15_000; !arrived() && Date.now() < deadline;) await sleep(50);
    const latencies: number[] = [];
    const floor: number[] = [];
    for (const s of sent) {
      const at = subscribers.states[s.index].arrivals.get(s.seq);
      if (at !== undefined) latencies.push(at - s.sentAt);
      const consumed = setup.floor.arrival(editIds[s.index], s.seq);
      if (consumed !== undefined) floor.push(consumed - s.sentAt);
    }
    return {
      subscribers: editIds.length,
      latency: summarize(latencies),
      latencies,
      floor: summarize(floor),
      floorLatencies: floor,
      acks,
      lost: sent.length - latencies.length,
      connectMs,
      rssBefore,
      rssAfter,
    };
  } finally {
    await subscribers.close();
  }
}
