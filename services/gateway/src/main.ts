import './instrument';
import 'reflect-metadata';

import { bootstrapService } from '@f2f/platform';

import { AppModule } from './app.module';
import { corsOptions, loadGatewayConfig } from './config';

void bootstrapService({
  serviceName: 'gateway',
  loadConfig: () => loadGatewayConfig(),
  logLevel: (c) => c.LOG_LEVEL,
  createModule: (c, logger) => AppModule.forRoot(c, logger),
  listen: (c) => ({ port: c.PORT, host: c.HOST }),
  bodyLimitBytes: (c) => c.MAX_BODY_BYTES,
  configure: (app, c) => {
    if (c.CORS_ORIGINS.length > 0) app.enableCors(corsOptions(c.CORS_ORIGINS));
  },
});
