'use strict';
// Small helpers shared by scripts/test.js and scripts/start.js.
const { execFileSync, spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

const scriptStarted = Date.now();
let stepStarted;

/** Prints a step's title, with the time since the script started and what the previous step took. */
function step(title) {
  const now = Date.now();
  const previous =
    stepStarted === undefined ? '' : `, previous step ${Math.round((now - stepStarted) / 1000)} s`;
  stepStarted = now;
  console.log(`\n▶ ${title}  [${Math.round((now - scriptStarted) / 1000)} s${previous}]`);
}

/** Runs a command with inherited output; exits the script with its status when it fails. */
function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, {
    cwd: root,
    stdio: 'inherit',
    ...options,
    env: { ...process.env, ...options.env },
  });
  if (result.status !== 0) {
    console.error(`✖ ${cmd} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

function capture(cmd, args, env = {}) {
  return execFileSync(cmd, args, {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

/** Whether infra/<name>.sh reports its service running here. */
function running(name, env) {
  return spawnSync('bash', [`infra/${name}.sh`, 'status'], { cwd: root, env, stdio: 'ignore' }).status === 0;
}

/**
 * Starts Postgres and Kafka with the project's scripts (or checks the external ones named by env).
 * With `stopWhatItStarts`, what was not running before (and is not external) is stopped again when
 * this process exits, on success, failure or Ctrl-C; what was running already is left as it was.
 */
function startInfrastructure(extraEnv = {}, { stopWhatItStarts = false } = {}) {
  step('infrastructure: Postgres and Kafka (infra/up.sh)');
  const infraEnv = { ...process.env, ...extraEnv };
  if (stopWhatItStarts) {
    const started = [];
    if (!infraEnv.DATABASE_URL && !running('postgres', infraEnv)) started.push('postgres');
    if (!infraEnv.KAFKA_BROKERS && !running('kafka', infraEnv)) started.push('kafka');
    if (started.length > 0) {
      process.on('exit', () => {
        step(`stopping what this run started: ${started.join(', ')}`);
        for (const name of started.reverse()) {
          spawnSync('bash', [`infra/${name}.sh`, 'stop'], { cwd: root, env: infraEnv, stdio: 'inherit' });
        }
      });
      // Ctrl-C and kill end the run through process.exit, so that the handler above runs.
      process.on('SIGINT', () => process.exit(130));
      process.on('SIGTERM', () => process.exit(143));
    }
  }
  const exports = capture('bash', ['infra/up.sh'], extraEnv);
  const env = {};
  for (const line of exports.split('\n')) {
    const m = /^export ([A-Z_]+)=(.*)$/.exec(line);
    if (m) env[m[1]] = m[2].replace(/^'(.*)'$/, '$1');
  }
  env.TEST_DATABASE_URL =
    infraEnv.TEST_DATABASE_URL ?? capture('bash', ['infra/postgres.sh', 'test-url'], extraEnv);
  return env;
}

module.exports = { root, step, run, capture, startInfrastructure };
