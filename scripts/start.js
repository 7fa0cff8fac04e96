#!/usr/bin/env node
// `npm start`: the whole platform on this machine, each service its own process, on real
// Postgres and Kafka started by infra/ (or DATABASE_URL / KAFKA_BROKERS when set), with the
// preview generator (NOT a model) standing in for the GPU pool unless GENERATOR_ADDRESSES names
// real workers. Settings come from the environment and a .env file in the repository root (the
// environment wins); every setting a service reads reaches it (`npm start -- --settings` lists them),
// and an unknown or invalid one stops the start before anything runs. Services that crash are
// restarted with back-off (SUPERVISE=false: not). Ctrl-C stops the services; infra/down.sh stops
// Postgres and Kafka. `npm start -- --observability` (or OBSERVABILITY=true) also starts Jaeger and
// Prometheus (infra/jaeger.sh, infra/prometheus.sh): every service sends its spans to Jaeger and
// Prometheus scrapes every /metrics with the alert rules loaded.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const { root, run, startInfrastructure, step } = require('./lib');

// `npm start -- --no-build`: start what is built; `npm start -- --settings`: list every setting.
if (!process.argv.includes('--no-build')) {
  step('build');
  run('npx', ['nx', 'run-many', '-t', 'build', '--output-style=static']);
}

const launcher = require(path.join(root, 'libs/launcher'));

step('settings (environment and .env)');
let settings;
try {
  settings = launcher.readLocalSettings(process.env);
  launcher.checkLocalPlatform(settings);
} catch (error) {
  if (error.name !== 'SettingsError') throw error;
  console.error(`✖ npm start: ${error.message}`);
  process.exit(78); // EX_CONFIG
}
if (process.argv.includes('--settings')) {
  printSettings();
  process.exit(0);
}
const given = Object.keys(settings.values);
console.log(given.length > 0 ? `  given: ${given.sort().join(', ')}` : '  none given: the defaults');

const infraSettings = Object.fromEntries(
  Object.entries(settings.values).filter(([k]) => k in launcher.LAUNCHER_SETTINGS),
);
const env = startInfrastructure(infraSettings);
const observability = process.argv.includes('--observability') || settings.values.OBSERVABILITY === 'true';
const infraEnv = { ...process.env, ...infraSettings };
const jaegerUi = `http://127.0.0.1:${infraEnv.F2F_JAEGER_UI_PORT ?? 16686}`;
if (observability) {
  step('observability: Jaeger (infra/jaeger.sh; built once from the Go module proxy)');
  run('bash', ['infra/jaeger.sh', 'start'], { env: infraEnv });
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT ??= `http://127.0.0.1:${infraEnv.F2F_JAEGER_OTLP_HTTP_PORT ?? 4318}`;
}

step('database migrations');
run('node', ['libs/database/dist/cli.js', 'migrate'], { env });

step('services');

(async () => {
  const platform = await launcher.startLocalPlatform(settings, {
    databaseUrl: env.DATABASE_URL,
    kafkaBrokers: env.KAFKA_BROKERS,
  });
  const logDir = platform.options.logDir;
  if (observability) {
    step('observability: Prometheus (infra/prometheus.sh)');
    const targets = platform.instances
      .filter((name) => !name.startsWith('preview-generator'))
      .map((name) => `127.0.0.1:${platform.ports[name]}`);
    run('bash', ['infra/prometheus.sh', 'start', ...targets], { env: infraEnv });
  }
  console.log(`\n✔ Frame2Frame is up: GraphQL at ${platform.gatewayUrl}`);
  console.log(`  web page: ${new URL('/', platform.gatewayUrl)} (sign in with the API key below)`);
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
  if (!platform.instances.includes('preview-generator')) {
    console.log(`  GPU workers: ${settings.values.GENERATOR_ADDRESSES} (no preview generator started)`);
  }
  console.log(
    `  service logs: ${logDir}/<service>.log; crashed services are restarted${platform.options.supervise ? '' : ' (off: SUPERVISE=false)'}; Ctrl-C stops the platform`,
  );
  if (observability) {
    const prometheus = `http://127.0.0.1:${infraEnv.F2F_PROMETHEUS_PORT ?? 9090}`;
    console.log(`  traces: ${jaegerUi} (Jaeger; an edit's trace: ${jaegerUi}/trace/<Edit.traceId>)`);
    console.log(
      `  metrics: ${prometheus} (Prometheus; alerts at ${prometheus}/alerts), each service's /metrics`,
    );
  }
  const stop = async () => {
    console.log('\nstopping…');
    await platform.stop();
    if (observability) {
      for (const script of ['prometheus', 'jaeger'])
        spawnSync('bash', [`infra/${script}.sh`, 'stop'], { cwd: root, env: infraEnv, stdio: 'inherit' });
    }
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
})().catch((error) => {
  console.error(error.name === 'SettingsError' ? `✖ npm start: ${error.message}` : error);
  process.exit(error.name === 'SettingsError' ? 78 : 1);
});

/** `npm start -- --settings`: every setting, and which services read it. */
function printSettings() {
  const table = launcher.settingsTable();
  const readers = new Map();
  for (const [service, keys] of Object.entries(table)) {
    for (const key of keys) readers.set(key, [...(readers.get(key) ?? []), service]);
  }
  console.log('\nnpm start:');
  for (const [key, what] of Object.entries(launcher.LAUNCHER_SETTINGS)) console.log(`  ${key}  ${what}`);
  console.log(
    '\nservices (set by the launcher for each process: PORT, DATABASE_URL, KAFKA_*, BLOB_DIR, *_URL):',
  );
  for (const key of [...readers.keys()].sort()) console.log(`  ${key}  ${readers.get(key).join(', ')}`);
}
