import './instrument';
import 'reflect-metadata';

import { bootstrapService } from '@f2f/platform';

import { AppModule } from './app.module';
import { loadEditsConfig } from './config';

void bootstrapService({
  serviceName: 'edits',
  loadConfig: () => loadEditsConfig(),
  logLevel: (c) => c.LOG_LEVEL,
  createModule: (c, logger) => AppModule.forRoot(c, logger),
  listen: (c) => ({ port: c.PORT, host: c.HOST }),
  bodyLimitBytes: (c) => c.MAX_BODY_BYTES,
});
