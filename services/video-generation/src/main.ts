import './instrument';
import 'reflect-metadata';

import { bootstrapService } from '@f2f/platform';

import { AppModule } from './app.module';
import { loadVideoGenerationConfig } from './config';

void bootstrapService({
  serviceName: 'video-generation',
  loadConfig: () => loadVideoGenerationConfig(),
  logLevel: (c) => c.LOG_LEVEL,
  createModule: (c, logger) => AppModule.forRoot(c, logger),
  listen: (c) => ({ port: c.PORT, host: c.HOST }),
});
