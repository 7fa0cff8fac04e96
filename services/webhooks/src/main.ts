import './instrument';
import 'reflect-metadata';

import { bootstrapService } from '@f2f/platform';

import { AppModule } from './app.module';
import { loadWebhooksConfig } from './config';

void bootstrapService({
  serviceName: 'webhooks',
  loadConfig: () => loadWebhooksConfig(),
  logLevel: (c) => c.LOG_LEVEL,
  createModule: (c, logger) => AppModule.forRoot(c, logger),
  listen: (c) => ({ port: c.PORT, host: c.HOST }),
});
