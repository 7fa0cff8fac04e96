import type { IncomingMessage, ServerResponse } from 'node:http';

import type { ApolloServerPlugin } from '@apollo/server';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';

import { metrics, renderMetrics } from './metrics';
import { contextFrom, tracer } from './tracing';

type Next = (error?: unknown) => void;
type Request = IncomingMessage & { body?: { operationName?: unknown }; path?: string };

const firstHeader = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** Paths an operator's tooling polls: no span for them. */
const UNTRACED = /^\/(metrics|health)(\/|$)/;

/**
 * Express middleware (mounted after the body parser): each request becomes a SERVER span that
 * continues the caller's W3C trace context (traceparent header) and is active while the request is
 * handled, so resolvers, SQL statements, events written and log lines all belong to it. With tracing
 * off the span is the API's no-op and nothing is recorded.
 */
export function tracingMiddleware() {
  return (req: Request, res: ServerResponse, next: Next): void => {
    const path = req.path ?? req.url ?? '/';
    if (UNTRACED.test(path)) return next();
    const parent = contextFrom({
      traceparent: firstHeader(req.headers.traceparent),
      tracestate: firstHeader(req.headers.tracestate),
    });
    const operation = typeof req.body?.operationName === 'string' ? req.body.operationName : undefined;
    const span = tracer().startSpan(
      operation ? `graphql ${operation}` : `${req.method} ${path}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': req.method ?? 'GET',
          'url.path': path,
          ...(operation ? { 'graphql.operation.name': operation } : {}),
        },
      },
      parent,
    );
    res.once('finish', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), () => next());
  };
}

/** GET /metrics: the Prometheus text exposition of this process. */
export function metricsMiddleware() {
  return (req: Request, res: ServerResponse, next: Next): void => {
    const path = req.path ?? req.url ?? '/';
    if (req.method !== 'GET' || path !== '/metrics') return next();
    renderMetrics().then(
      ({ contentType, body }) => {
        res.setHeader('content-type', contentType);
        res.end(body);
      },
      (error: unknown) => next(error),
    );
  };
}

/** Distinct operation names kept as label values; clients choose them, so the rest count as `other`. */
export const MAX_OPERATION_LABELS = 200;

/**
 * Counts and times every GraphQL operation by name, type and outcome (`ok`, or the first error's
 * `extensions.code`); also names the active span after the operation once it is known. Operation
 * names are the client's: at most MAX_OPERATION_LABELS distinct ones (of up to 100 characters) are
 * kept, so that a client cannot grow the series without bound.
 */
export function graphqlMetricsPlugin(): ApolloServerPlugin {
  const seen = new Set<string>();
  const label = (name: string | null | undefined): string => {
    if (!name) return 'anonymous';
    if (seen.has(name)) return name;
    if (name.length > 100 || seen.size >= MAX_OPERATION_LABELS) return 'other';
    seen.add(name);
    return name;
  };
  return {
    requestDidStart: async () => {
      const started = performance.now();
      let operation = 'anonymous';
      let type = 'unknown';
      return {
        didResolveOperation: async (ctx) => {
          operation = label(ctx.operationName);
          type = ctx.operation?.operation ?? type;
          trace.getActiveSpan()?.setAttribute('graphql.operation.type', type);
        },
        willSendResponse: async (ctx) => {
          const errors = ctx.errors ?? [];
          const first = errors[0]?.extensions?.code;
          const outcome = errors.length === 0 ? 'ok' : typeof first === 'string' ? first : 'error';
          metrics.graphqlRequests.inc({ operation, type, outcome });
          metrics.graphqlDuration.observe({ operation, type }, (performance.now() - started) / 1000);
        },
      };
    },
  };
}
