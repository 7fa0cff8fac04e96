#!/usr/bin/env node
// Composes the supergraph from the subgraphs' own SDL files (never written by hand).
// Usage: node services/gateway/scripts/compose-supergraph.js [out-file]   (run by `npm run codegen`)
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { composeServices } = require('@apollo/composition');
const { Kind, parse } = require('graphql');

const root = path.resolve(__dirname, '../../..');
const subgraphs = require('../subgraphs.json');
const out = process.argv[2] ?? path.join(root, 'services/gateway/supergraph.graphql');

// A subgraph's `sdl` is one file or a list of files (e.g. edits.graphql and tenancy.graphql): their
// definitions form one document, as the subgraph itself loads them (subgraphModule's typePaths).
const typeDefsOf = (sdl) => ({
  kind: Kind.DOCUMENT,
  definitions: (Array.isArray(sdl) ? sdl : [sdl]).flatMap(
    (file) => parse(fs.readFileSync(path.join(root, file), 'utf8')).definitions,
  ),
});

const result = composeServices(
  subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: typeDefsOf(s.sdl) })),
);
if (result.errors?.length) {
  for (const e of result.errors) console.error(e.message);
  process.exit(1);
}
for (const hint of result.hints ?? []) console.warn(`composition hint: ${hint.message}`);
fs.writeFileSync(out, `${result.supergraphSdl.trim()}\n`);
