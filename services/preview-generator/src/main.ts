import './instrument';
import { ConfigError, createLogger } from '@f2f/common';
import { stopTracing } from '@f2f/telemetry';

import { loadPreviewConfig, type PreviewConfig } from './config';
import { PREVIEW_GENERATOR_NAME } from './render';
import { startPreviewServer } from './server';

async function main(): Promise<void> {
  let config: PreviewConfig;
  try {
    config = loadPreviewConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78);
    }
    throw error;
  }
  const logger = createLogger('preview-generator', config.LOG_LEVEL);
  const running = await startPreviewServer(config, logger);
  logger.info(
    { port: running.port, stepDelayMs: config.STEP_DELAY_MS, generator: PREVIEW_GENERATOR_NAME },
    'preview generator listening: NOT A MODEL, renders a deterministic path for local runs and tests',
  );
  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    void running
      .shutdown()
      .then(stopTracing)
      .then(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

void main();
