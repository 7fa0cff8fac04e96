#!/usr/bin/env node
// `npm start`: the whole platform on this machine, each service its own process, on real
// Postgres and Kafka started by infra/ (or DATABASE_URL / KAFKA_BROKERS when set), with the
// preview generator (NOT a model) standing in for the GPU pool. Ctrl-C stops everything.
'use strict';
const path = require('node:path');

const { root, run, startInfrastructure, step } = require('./lib');

step('build');
run('npx', ['nx', 'run-many', '-t', 'build', '--output-style=static']);
const env = startInfrastructure();

step('database migrations');
run('node', ['libs/database/dist/cli.js', 'migrate'], { env });

step('services');

/**
 * The key that encrypts webhook secrets at rest: WEBHOOK_SECRET_ENCRYPTION_KEY, or one made once and
 * kept in .data/ beside the blobs, so endpoints registered in an earlier run keep signing.
 */
function webhookEncryptionKey() {
  if (process.env.WEBHOOK_SECRET_ENCRYPTION_KEY) return process.env.WEBHOOK_SECRET_ENCRYPTION_KEY;
  const fs = require('node:fs');
  const file = path.join(root, '.data', 'webhook-secret-encryption-key');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, require('node:crypto').randomBytes(32).toString('hex'), { mode: 0o600 });
  }
  return fs.readFileSync(file, 'utf8').trim();
}
const { startPlatform, DEFAULT_PORTS } = require(path.join(root, 'libs/launcher'));

(async () => {
  const platform = await startPlatform({
    databaseUrl: env.DATABASE_URL,
    kafkaBrokers: env.KAFKA_BROKERS,
    topicPrefix: process.env.KAFKA_TOPIC_PREFIX ?? 'f2f.',
    blobDir: process.env.BLOB_DIR ?? path.join(root, '.data', 'blobs'),
    logDir: process.env.LOG_DIR ?? path.join(root, '.cache', 'logs'),
    // Unset: the committed random-weight fixture networks (see libs/launcher).
    metricModelsDir: process.env.METRIC_MODELS_DIR || undefined,
    ports: { ...DEFAULT_PORTS, gateway: Number(process.env.PORT ?? DEFAULT_PORTS.gateway) },
    stepDelayMs: Number(process.env.PREVIEW_STEP_DELAY_MS ?? 40),
    bootstrapTenant: process.env.TENANT_ID ?? 'default',
    ...(process.env.TENANT_CONTEXT_SECRET ? { tenantContextSecret: process.env.TENANT_CONTEXT_SECRET } : {}),
    webhookEncryptionKey: webhookEncryptionKey(),
    ...(process.env.SIGNED_URL_SECRET ? { signedUrlSecret: process.env.SIGNED_URL_SECRET } : {}),
    ...(process.env.PUBLIC_BASE_URL ? { publicBaseUrl: process.env.PUBLIC_BASE_URL } : {}),
  });
  console.log(`\n✔ Frame2Frame is up: GraphQL at ${platform.gatewayUrl}`);
  console.log(
    `  API key of tenant "${platform.tenantId}" (read, write, admin; shown only now, a new one each start):`,
  );
  console.log(`    export F2F_API_KEY=${platform.apiKey}`);
  console.log(
    `    curl -s ${platform.gatewayUrl} -H "authorization: Bearer $F2F_API_KEY" -H 'content-type: application/json' -d '{"query":"{ edits(first: 5) { edges { node { id status } } } }"}'`,
  );
  console.log(
    `  images over the API: createUpload, then PUT the image to its url (see README "Images over the API"); Frame.url, Edit.resultUrl are signed download URLs`,
  );
  console.log(
    `  service logs: ${path.join(root, '.cache', 'logs')}/<service>.log; Ctrl-C stops the platform`,
  );
  const stop = async () => {
    console.log('\nstopping…');
    await platform.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
