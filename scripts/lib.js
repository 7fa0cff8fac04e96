'use strict';
// Small helpers shared by scripts/test.js and scripts/start.js.
const { execFileSync, spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

function step(title) {
  console.log(`\n▶ ${title}`);
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

/** Starts Postgres and Kafka with the project's scripts (or checks the external ones named by env). */
function startInfrastructure() {
  step('infrastructure: Postgres and Kafka (infra/up.sh)');
  const exports = capture('bash', ['infra/up.sh']);
  const env = {};
  for (const line of exports.split('\n')) {
    const m = /^export ([A-Z_]+)=(.*)$/.exec(line);
    if (m) env[m[1]] = m[2].replace(/^'(.*)'$/, '$1');
  }
  env.TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? capture('bash', ['infra/postgres.sh', 'test-url']);
  return env;
}

module.exports = { root, step, run, capture, startInfrastructure };
