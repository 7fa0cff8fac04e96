import './instrument';
import 'reflect-metadata';

import { bootstrapService } from '@f2f/platform';

import { AppModule } from './app.module';
import { loadCaptioningConfig } from './config';

void bootstrapService({
  serviceName: 'captioning',
  loadConfig: () => loadCaptioningConfig(),
  logLevel: (c) => c.LOG_LEVEL,
  bodyLimitBytes: (c) => c.MAX_BODY_BYTES,
  createModule: (c, logger) => AppModule.forRoot(c, logger),
  listen: (c) => ({ port: c.PORT, host: c.HOST }),
});
