import './instrument';
import 'reflect-metadata';

import { bootstrapService } from '@f2f/platform';
import type { NestExpressApplication } from '@nestjs/platform-express';

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
    // The web page's files (only files that exist are served; /graphql and the rest fall through).
    if (c.WEB_DIR) (app as NestExpressApplication).useStaticAssets(c.WEB_DIR, { index: 'index.html' });
  },
});
