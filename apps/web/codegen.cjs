// GraphQL Code Generator for the web page: typed documents (client preset) from the supergraph's
// API schema (what the gateway serves over HTTP) and the gateway's Subscription root
// (schema/subscriptions.graphql). scripts/codegen.js calls generateWebDocuments; --check compares.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const webRoot = __dirname;
const root = path.resolve(webRoot, '../..');

/** The schema the page's documents are checked against, as SDL. */
function webSchemaSdl() {
  const { Supergraph } = require(require.resolve('@apollo/federation-internals', { paths: [root] }));
  const { extendSchema, parse, printSchema } = require('graphql');
  const supergraph = fs.readFileSync(path.join(root, 'services/gateway/supergraph.graphql'), 'utf8');
  const api = Supergraph.build(supergraph).apiSchema().toGraphQLJSSchema();
  const subscriptions = fs.readFileSync(path.join(webRoot, 'schema/subscriptions.graphql'), 'utf8');
  return printSchema(extendSchema(api, parse(subscriptions)));
}

/** Writes the typed documents into outDir (src/gql, or a temporary folder for --check). */
async function generateWebDocuments(outDir) {
  const { generate } = require('@graphql-codegen/cli');
  fs.rmSync(outDir, { recursive: true, force: true });
  const outKey = path.relative(root, outDir).split(path.sep).join('/') + '/';
  const absolute = path.isAbsolute(outKey) || outKey.startsWith('../');
  await generate(
    {
      cwd: root,
      schema: webSchemaSdl(),
      documents: ['apps/web/src/**/*.{ts,tsx}', '!apps/web/src/gql/**'],
      generates: {
        [absolute ? outDir + '/' : outKey]: {
          preset: 'client',
          presetConfig: { fragmentMasking: false },
          config: { enumsAsTypes: true, useTypeImports: true, scalars: { ID: 'string' } },
        },
      },
      silent: true,
      errorsOnly: true,
    },
    true,
  );
}

module.exports = { generateWebDocuments, webSchemaSdl };
