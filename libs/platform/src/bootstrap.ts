import { ConfigError, createLogger, redactConfig, type Logger } from '@f2f/common';
import { initMetrics, metricsMiddleware, tracingMiddleware } from '@f2f/telemetry';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';

import { PinoNestLogger } from './nest-logger';

/** The gateway's default MAX_BODY_BYTES. */
const DEFAULT_BODY_LIMIT_BYTES = 16 * 1024 * 1024;

export interface ServiceBootstrap<C> {
  serviceName: string;
  loadConfig(): C;
  logLevel(config: C): string;
  createModule(config: C, logger: Logger): unknown;
  listen(config: C): { port: number; host: string };
  /** Largest JSON body accepted (Nest's default is 100 kB). */
  bodyLimitBytes?(config: C): number;
  configure?(app: INestApplication, config: C, logger: Logger): void | Promise<void>;
}

const sinceProcessStart = () => Math.round(performance.now());

/**
 * Starts a service: validates its configuration (refusing to start with a clear message), creates
 * the Nest application with structured logging, serves HTTP and shuts down cleanly on SIGTERM.
 */
export async function bootstrapService<C>(spec: ServiceBootstrap<C>): Promise<INestApplication> {
  let config: C;
  try {
    config = spec.loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger(spec.serviceName, spec.logLevel(config));
  initMetrics(spec.serviceName);
  // sinceProcessStartMs: node's start and the loading of the service's modules.
  logger.info(
    { config: redactConfig(config as Record<string, unknown>), sinceProcessStartMs: sinceProcessStart() },
    'starting',
  );
  const app = await NestFactory.create<NestExpressApplication>(spec.createModule(config, logger) as never, {
    logger: new PinoNestLogger(logger),
  });
  // Subgraphs are reached only through the gateway, which bounds bodies itself (MAX_BODY_BYTES):
  // the same default here, so a body the gateway accepts gets the resolver's answer, never a 413
  // that the gateway could only report as an internal error.
  app.useBodyParser('json', { limit: spec.bodyLimitBytes?.(config) ?? DEFAULT_BODY_LIMIT_BYTES });
  // GET /metrics (Prometheus), then a span per request (after the body parser: the operation's name).
  app.use(metricsMiddleware());
  app.use(tracingMiddleware());
  app.enableShutdownHooks();
  await spec.configure?.(app, config, logger);
  const { port, host } = spec.listen(config);
  // Idle keep-alive connections outlive the clients' own (undici keeps one 4 s): the client always
  // closes first, so a request is never sent on a socket the server is closing (ECONNRESET).
  const server = app.getHttpServer() as import('node:http').Server;
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await app.listen(port, host);
  logger.info({ port, host, sinceProcessStartMs: sinceProcessStart() }, 'listening');
  return app;
}
