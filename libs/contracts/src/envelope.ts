import { randomBytes, randomUUID } from 'node:crypto';

import { trace as otelTrace } from '@opentelemetry/api';
import { z } from 'zod';

import { eventPayloadSchemas, type EventPayloads } from './events';
import { Topic } from './topics';

export const SCHEMA_VERSION = 1;

/** W3C trace context (https://www.w3.org/TR/trace-context/). */
export const traceContextSchema = z.strictObject({
  traceparent: z.string().regex(/^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/),
  tracestate: z.string().optional(),
});
export type TraceContext = z.infer<typeof traceContextSchema>;

const envelopeBase = z.strictObject({
  eventId: z.uuid(),
  type: z.enum(Topic),
  schemaVersion: z.literal(SCHEMA_VERSION),
  editId: z.uuid(),
  tenantId: z.string().min(1).max(100),
  occurredAt: z.iso.datetime({ offset: true }),
  causationId: z.uuid().nullable(),
  trace: traceContextSchema,
  payload: z.unknown(),
});

export type EventEnvelope<T extends Topic = Topic> = Omit<
  z.infer<typeof envelopeBase>,
  'type' | 'payload'
> & {
  type: T;
  payload: EventPayloads[T];
};

export type AnyEventEnvelope = { [T in Topic]: EventEnvelope<T> }[Topic];

export class InvalidEventError extends Error {
  constructor(
    message: string,
    readonly issues: string[],
  ) {
    super(`${message}: ${issues.join('; ')}`);
    this.name = 'InvalidEventError';
  }
}

/** Parses and validates an envelope and its payload against the schema of its type. */
export function parseEnvelope(raw: unknown): AnyEventEnvelope {
  const base = envelopeBase.safeParse(raw);
  if (!base.success) {
    throw new InvalidEventError('invalid event envelope', base.error.issues.map(formatIssue));
  }
  const schema = eventPayloadSchemas[base.data.type];
  const payload = schema.safeParse(base.data.payload);
  if (!payload.success) {
    throw new InvalidEventError(`invalid ${base.data.type} payload`, payload.error.issues.map(formatIssue));
  }
  return { ...base.data, payload: payload.data } as AnyEventEnvelope;
}

export function decodeEnvelope(value: Buffer | string | null): AnyEventEnvelope {
  if (value === null) throw new InvalidEventError('invalid event', ['empty message']);
  let json: unknown;
  try {
    json = JSON.parse(value.toString());
  } catch {
    throw new InvalidEventError('invalid event', ['not JSON']);
  }
  return parseEnvelope(json);
}

export function newTraceContext(): TraceContext {
  return { traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01` };
}

/** A child span in the same trace. */
export function childTraceContext(parent: TraceContext): TraceContext {
  const traceId = parent.traceparent.split('-')[1];
  return { ...parent, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` };
}

/**
 * The active OpenTelemetry span as a trace context (tracing on: the request or the handling of an
 * event that writes this one), so that the event continues the span that caused it.
 */
export function activeTraceContext(): TraceContext | undefined {
  const span = otelTrace.getActiveSpan();
  if (!span?.isRecording()) return undefined;
  const { traceId, spanId, traceFlags } = span.spanContext();
  return { traceparent: `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, '0')}` };
}

export function traceIdOf(trace: TraceContext): string {
  return trace.traceparent.split('-')[1];
}

export interface NewEvent<T extends Topic> {
  type: T;
  editId: string;
  tenantId: string;
  payload: EventPayloads[T];
  /** The event this one answers; its trace is continued. */
  cause?: Pick<EventEnvelope, 'eventId' | 'trace'>;
  occurredAt?: Date;
  /** Its id, when the producer had to record it before building it (a random UUID otherwise). */
  eventId?: string;
}

/** Builds a validated envelope; an invalid payload fails here, in the producer, not downstream. */
export function makeEnvelope<T extends Topic>(event: NewEvent<T>): EventEnvelope<T> {
  const envelope = {
    eventId: event.eventId ?? randomUUID(),
    type: event.type,
    schemaVersion: SCHEMA_VERSION,
    editId: event.editId,
    tenantId: event.tenantId,
    occurredAt: (event.occurredAt ?? new Date()).toISOString(),
    causationId: event.cause?.eventId ?? null,
    trace: activeTraceContext() ?? (event.cause ? childTraceContext(event.cause.trace) : newTraceContext()),
    payload: event.payload,
  };
  return parseEnvelope(envelope) as EventEnvelope<T>;
}

function formatIssue(issue: z.core.$ZodIssue): string {
  return `${issue.path.join('.') || '(root)'}: ${issue.message}`;
}
