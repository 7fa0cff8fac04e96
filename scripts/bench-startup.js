#!/usr/bin/env node
// `npm run bench:startup`: how long each service takes from its process start to a healthy answer,
// on the infrastructure of infra/ (or DATABASE_URL / KAFKA_BROKERS), through the launcher that
// `npm start` uses. Per round: every service started at once on a new topic prefix (new topics and
// consumer groups), then each service alone killed with SIGKILL and started again (what the
// supervisor does after a crash: the broker still counts the dead process in its consumer group).
//
//   npm run bench:startup                 3 rounds (default)
//   npm run bench:startup -- --rounds 5
//   npm run bench:startup -- --no-build   measure what is built
'use strict';
const { randomBytes } = require('node:crypto');
const { mkdtempSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { root, run, startInfrastructure, step } = require('./lib');

const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 3;

if (!process.argv.includes('--no-build')) step('build');
if (!process.argv.includes('--no-build'))
  run('npx', ['nx', 'run-many', '-t', 'build', '--output-style=static']);
const env = startInfrastructure();
run('node', ['libs/database/dist/cli.js', 'migrate'], { env });
const { startPlatform } = require(path.join(root, 'libs/launcher'));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure() {
  const results = { 'all at once (cold)': [], 'alone, after SIGKILL': [] };
  for (let round = 1; round <= rounds; round++) {
    const platform = await startPlatform({
      databaseUrl: env.DATABASE_URL,
      kafkaBrokers: env.KAFKA_BROKERS,
      topicPrefix: `bench${randomBytes(4).toString('hex')}.`,
      blobDir: mkdtempSync(path.join(os.tmpdir(), 'f2f-bench-blobs-')),
      logDir: path.join(root, '.cache', 'bench-logs', `startup-${Date.now()}`),
      startTimeoutMs: 180_000,
    });
    results['all at once (cold)'].push(new Map(platform.startupMs));
    const alone = new Map();
    for (const name of platform.instances) {
      // A crash: the broker still counts the dead process in its consumer groups.
      await platform.kill(name, 'SIGKILL');
      await platform.start(name);
      alone.set(name, platform.startupMs.get(name));
    }
    results['alone, after SIGKILL'].push(alone);
    await platform.stop();
    console.log(`round ${round}/${rounds} done`);
  }
  return results;
}

measure()
  .then((results) => {
    const kinds = Object.keys(results);
    const names = [...results[kinds[0]][0].keys()];
    console.log(
      `\nTime from process start to healthy, ms (median of ${rounds}; ${os.cpus().length} cores)\n`,
    );
    console.log(`| service | ${kinds.join(' | ')} |`);
    console.log(`| --- | ${kinds.map(() => '---:').join(' | ')} |`);
    for (const name of names) {
      console.log(
        `| ${name} | ${kinds.map((k) => median(results[k].map((r) => r.get(name)))).join(' | ')} |`,
      );
    }
    console.log(
      `(load average at the end: ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(', ')})`,
    );
    process.exit(0);
  })
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
