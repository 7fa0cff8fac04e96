#!/usr/bin/env node
// Composes the supergraph from the subgraphs' own SDL files (never written by hand).
// Usage: node services/gateway/scripts/compose-supergraph.js [out-file]   (run by `npm run codegen`)
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { composeServices } = require('@apollo/composition');
const { parse } = require('graphql');

const root = path.resolve(__dirname, '../../..');
const subgraphs = require('../subgraphs.json');
const out = process.argv[2] ?? path.join(root, 'services/gateway/supergraph.graphql');

const result = composeServices(
  subgraphs.map((s) => ({
    name: s.name,
    url: s.url,
    typeDefs: parse(fs.readFileSync(path.join(root, s.sdl), 'utf8')),
  })),
);
if (result.errors?.length) {
  for (const e of result.errors) console.error(e.message);
  process.exit(1);
}
for (const hint of result.hints ?? []) console.warn(`composition hint: ${hint.message}`);
fs.writeFileSync(out, `${result.supergraphSdl.trim()}\n`);
