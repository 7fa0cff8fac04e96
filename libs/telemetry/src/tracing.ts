import {
  type Attributes,
  context,
  type Context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from '@opentelemetry/api';
import { z } from 'zod';

/**
 * The standard OTEL_* variables this platform acts on (the exporter reads the rest itself:
 * OTEL_EXPORTER_OTLP_HEADERS, OTEL_EXPORTER_OTLP_TIMEOUT, OTEL_BSP_*, OTEL_TRACES_SAMPLER...).
 * Tracing is on when an OTLP endpoint is named and OTEL_SDK_DISABLED is not `true`; otherwise
 * nothing is loaded and every span below is the API's no-op (off costs nothing).
 */
const tracingEnvSchema = z.object({
  OTEL_SDK_DISABLED: z.enum(['true', 'false', '']).optional(),
  OTEL_TRACES_EXPORTER: z.string().optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
});

export interface TracingSettings {
  enabled: boolean;
  serviceName: string;
}

/** Reads the OTEL_* variables; a malformed one refuses the start with a clear message. */
export function tracingSettings(serviceName: string, env: NodeJS.ProcessEnv = process.env): TracingSettings {
  const parsed = tracingEnvSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`${serviceName}: invalid OpenTelemetry configuration: ${issues}`);
  }
  const e = parsed.data;
  const exporterOff = e.OTEL_TRACES_EXPORTER !== undefined && e.OTEL_TRACES_EXPORTER !== 'otlp';
  const endpoint = e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? e.OTEL_EXPORTER_OTLP_ENDPOINT;
  return {
    enabled: e.OTEL_SDK_DISABLED !== 'true' && !exporterOff && endpoint !== undefined,
    serviceName: e.OTEL_SERVICE_NAME ?? serviceName,
  };
}

let shutdownHook: (() => Promise<void>) | undefined;

/**
 * Starts tracing for this process when the OTEL_* variables ask for it: a tracer provider that
 * batches spans to the OTLP/HTTP (protobuf) endpoint, W3C trace context as the propagator, and the
 * `pg` driver instrumented (every SQL statement a span). Call it before anything loads `pg`: each
 * service's `instrument.ts`, imported first by its main.ts. Returns whether tracing is on.
 */
export function startTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const settings = tracingSettings(serviceName, env);
  if (!settings.enabled || shutdownHook) return settings.enabled;
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded only when tracing is on */
  const { NodeTracerProvider, BatchSpanProcessor } =
    require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const { OTLPTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-proto') as typeof import('@opentelemetry/exporter-trace-otlp-proto');
  const { resourceFromAttributes } =
    require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { registerInstrumentations } =
    require('@opentelemetry/instrumentation') as typeof import('@opentelemetry/instrumentation');
  const { PgInstrumentation } =
    require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': settings.serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter(), { scheduledDelayMillis: 500 })],
  });
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    // Statements only within a trace (an edit's), not the relays' and sweepers' idle polling.
    instrumentations: [new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false })],
  });
  shutdownHook = () => provider.shutdown();
  return true;
}

/** Flushes and stops the exporter (at shutdown, so that the last spans are not lost). */
export async function stopTracing(): Promise<void> {
  await shutdownHook?.().catch(() => undefined);
  shutdownHook = undefined;
}

export function tracer(): Tracer {
  return trace.getTracer('f2f');
}

/** The W3C traceparent of a context's span, when it has a valid one. */
export function traceparentOf(ctx: Context = context.active()): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier.traceparent;
}

/** Writes the active trace context into headers or metadata (traceparent, tracestate). */
export function injectTraceContext(set: (key: string, value: string) => void, ctx = context.active()): void {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  for (const [key, value] of Object.entries(carrier)) set(key, value);
}

/** The context a carried traceparent/tracestate names (the root context when there is none). */
export function contextFrom(carrier: { traceparent?: string; tracestate?: string }): Context {
  const clean: Record<string, string> = {};
  if (carrier.traceparent) clean.traceparent = carrier.traceparent;
  if (carrier.tracestate) clean.tracestate = carrier.tracestate;
  return propagation.extract(ROOT_CONTEXT, clean);
}

/** The active span's trace id, when tracing is on and a span is active. */
export function activeTraceId(): string | undefined {
  const span = trace.getActiveSpan();
  const id = span?.spanContext().traceId;
  return id && span?.isRecording() ? id : undefined;
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** The parent: the active context when absent. */
  parent?: Context;
}

/**
 * Runs `work` in a new span (active for everything it awaits), records an exception and an error
 * status when it throws, and ends the span either way.
 */
export async function withSpan<R>(
  name: string,
  options: SpanOptions,
  work: (span: Span) => Promise<R>,
): Promise<R> {
  const parent = options.parent ?? context.active();
  return tracer().startActiveSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes },
    parent,
    async (span) => {
      try {
        return await work(span);
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

export { SpanKind, SpanStatusCode, context, trace };
export type { Span, Context };
