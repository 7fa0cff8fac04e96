import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Structured JSON logs: every line carries the service name and version; callers add `editId`,
 * `tenantId` and `traceId` with `logger.child({...})`. A line written while a span is active (tracing
 * on: a request, an event's handling) carries that span's `traceId` and `spanId` by itself.
 * Credentials are redacted by path.
 */
export function createLogger(
  service: string,
  level = 'info',
  version = process.env.npm_package_version ?? '0.1.0',
): Logger {
  return pino({
    level,
    base: { service, version, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: traceLogFields,
    redact: {
      paths: [
        '*.password',
        '*.apiKey',
        '*.authorization',
        '*.databaseUrl',
        'config.databaseUrl',
        'headers.authorization',
      ],
      censor: '[redacted]',
    },
  });
}

/** The active span's ids (none when tracing is off: no span is ever active then): createLogger's mixin. */
export function traceLogFields(): Record<string, string> {
  // Valid rather than recording: work that a span started may log after the span ended (the path
  // videos an event asked for), and those lines still belong to its trace.
  const span = trace.getActiveSpan();
  if (!span || !isSpanContextValid(span.spanContext())) return {};
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
}
