import { Writable } from 'node:stream';

import { traceLogFields } from '@f2f/common';
import { makeEnvelope, Topic, traceIdOf } from '@f2f/contracts';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import pino from 'pino';

import { contextFrom, injectTraceContext, SpanKind, tracingSettings, withSpan } from '../tracing';

const exporter = new InMemorySpanExporter();

beforeAll(() => {
  // What startTracing registers, with spans kept in memory instead of sent over OTLP.
  new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).register();
});

beforeEach(() => exporter.reset());

const EDIT = '6f1c1f6e-5d2a-4e38-9a52-2f8e8c2c9a11';

describe('trace context through events (the outbox keeps it in the envelope)', () => {
  it('an event written in a span carries that span as its parent; its consumer continues the trace', async () => {
    const event = await withSpan('graphql CreateEdit', { kind: SpanKind.SERVER }, async () =>
      makeEnvelope({
        type: Topic.EditFailed,
        editId: EDIT,
        tenantId: 't',
        payload: { stage: 's', code: 'INTERNAL', reason: 'r' },
      }),
    );
    const [request] = exporter.getFinishedSpans();
    expect(traceIdOf(event.trace)).toBe(request.spanContext().traceId);
    expect(event.trace.traceparent.split('-')[2]).toBe(request.spanContext().spanId);
    // The consumer (another process) starts its span from the envelope alone: JSON round trip.
    const stored = JSON.parse(JSON.stringify(event)) as typeof event;
    await withSpan(
      'captioning process',
      { kind: SpanKind.CONSUMER, parent: contextFrom(stored.trace) },
      async () => {
        const headers: Record<string, string> = {};
        injectTraceContext((k, v) => (headers[k] = v));
        expect(headers.traceparent).toMatch(
          new RegExp(`^00-${request.spanContext().traceId}-[0-9a-f]{16}-01$`),
        );
      },
    );
    const consumer = exporter.getFinishedSpans().find((s) => s.name === 'captioning process')!;
    expect(consumer.spanContext().traceId).toBe(request.spanContext().traceId);
    expect(consumer.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
  });

  it('records a failure as an error span and rethrows it', async () => {
    await expect(withSpan('failing', {}, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const [span] = exporter.getFinishedSpans();
    expect(span.status.code).toBe(2); // ERROR
    expect(span.events.map((e) => e.name)).toEqual(['exception']);
  });

  it('puts the active trace id and span id on every log line written in a span', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const logger = pino({ mixin: traceLogFields }, sink);
    logger.info('outside');
    await withSpan('work', {}, async () => logger.info('inside'));
    const [span] = exporter.getFinishedSpans();
    expect(lines[0].traceId).toBeUndefined();
    expect(lines[1]).toMatchObject({
      traceId: span.spanContext().traceId,
      spanId: span.spanContext().spanId,
    });
  });
});

describe('tracingSettings (the standard OTEL_* variables)', () => {
  it.each([
    [{}, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_EXPORTER: 'none' }, false],
  ])('%j: enabled %s', (env, enabled) => {
    expect(tracingSettings('edits', env).enabled).toBe(enabled);
  });

  it('names the service after OTEL_SERVICE_NAME when given, and refuses a malformed endpoint', () => {
    expect(tracingSettings('edits', { OTEL_SERVICE_NAME: 'edits-eu' }).serviceName).toBe('edits-eu');
    expect(tracingSettings('edits', {}).serviceName).toBe('edits');
    expect(() => tracingSettings('edits', { OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' })).toThrow(
      /edits: invalid OpenTelemetry configuration: OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
  });
});
