import './instrument';
import 'reflect-metadata';

import { bootstrapService } from '@f2f/platform';

import { AppModule } from './app.module';
import { loadMetricsConfig } from './config';

void bootstrapService({
  serviceName: 'metrics',
  loadConfig: () => loadMetricsConfig(),
  logLevel: (c) => c.LOG_LEVEL,
  createModule: (c, logger) => AppModule.forRoot(c, logger),
  listen: (c) => ({ port: c.PORT, host: c.HOST }),
});
