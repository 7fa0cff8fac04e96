#!/usr/bin/env node
// Generates every generated artifact of the repository, from one command:
//   - TypeScript types for the gRPC contracts in proto/  -> libs/video-proto/src/generated (committed)
//   - the Prisma client                                   -> libs/database/src/generated (git-ignored)
//   - the federated supergraph from the subgraphs' SDL    -> services/gateway/supergraph.graphql (committed)
// With --check, regenerates the committed artifacts into a temporary folder and fails when they
// differ from the committed ones (a stale artifact fails CI).
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const check = process.argv.includes('--check');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

/** Loader options: libs/video-proto/src/loader.ts uses the same ones at run time. */
const PROTO_OPTIONS = [
  '--longs=String',
  '--enums=String',
  '--defaults',
  '--oneofs',
  '--grpcLib=@grpc/grpc-js',
];
const PROTO_FILES = ['frame2frame/video/v1/video_generator.proto', 'grpc/health/v1/health.proto'];

function generateProto(outDir) {
  fs.rmSync(outDir, { recursive: true, force: true });
  execFileSync(
    bin('proto-loader-gen-types'),
    [...PROTO_OPTIONS, '-I', 'proto', '-O', outDir, ...PROTO_FILES],
    {
      stdio: 'inherit',
      cwd: root, // relative paths: the generated comments must not depend on where the clone lives
    },
  );
}

function generatePrisma() {
  execFileSync('npm', ['run', '-s', 'prisma:generate', '-w', '@f2f/database'], {
    stdio: 'inherit',
    cwd: root,
  });
}

function generateSupergraph(outFile) {
  const compose = path.join(root, 'services/gateway/scripts/compose-supergraph.js');
  if (!fs.existsSync(compose)) return;
  execFileSync(process.execPath, [compose, outFile], { stdio: 'inherit', cwd: root });
}

function listFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath ?? e.path, e.name)))
    .sort();
}

function sameTree(a, b) {
  const fa = listFiles(a);
  const fb = listFiles(b);
  if (fa.join('\n') !== fb.join('\n')) return false;
  return fa.every((f) => fs.readFileSync(path.join(a, f)).equals(fs.readFileSync(path.join(b, f))));
}

const protoOut = path.join(root, 'libs/video-proto/src/generated');
const supergraphOut = path.join(root, 'services/gateway/supergraph.graphql');

if (check) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'f2f-codegen-'));
  const stale = [];
  generateProto(path.join(tmp, 'proto'));
  if (!sameTree(path.join(tmp, 'proto'), protoOut)) stale.push(path.relative(root, protoOut));
  generateSupergraph(path.join(tmp, 'supergraph.graphql'));
  if (fs.existsSync(path.join(tmp, 'supergraph.graphql'))) {
    const committed = fs.existsSync(supergraphOut) ? fs.readFileSync(supergraphOut, 'utf8') : '';
    if (committed !== fs.readFileSync(path.join(tmp, 'supergraph.graphql'), 'utf8'))
      stale.push(path.relative(root, supergraphOut));
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  if (stale.length) {
    console.error(`stale generated code: ${stale.join(', ')}; run \`npm run codegen\` and commit the result`);
    process.exit(1);
  }
  console.log('generated code is up to date');
} else {
  generateProto(protoOut);
  generatePrisma();
  generateSupergraph(supergraphOut);
  console.log('generated: proto stubs, Prisma client, supergraph');
}
