import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Structured JSON logs: every line carries the service name and version; callers add `editId`,
 * `tenantId` and `traceId` with `logger.child({...})`. Credentials are redacted by path.
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
