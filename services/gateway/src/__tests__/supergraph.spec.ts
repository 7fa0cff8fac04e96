import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { Kind, parse, type ObjectTypeDefinitionNode } from 'graphql';

import { SUPERGRAPH_PATH } from '../supergraph';

const root = path.resolve(__dirname, '../../../..');

describe('supergraph', () => {
  it('is what composing the subgraphs SDL gives now (run `npm run codegen` when this fails)', () => {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'supergraph-')), 'supergraph.graphql');
    execFileSync(process.execPath, [path.join(root, 'services/gateway/scripts/compose-supergraph.js'), out]);
    expect(readFileSync(SUPERGRAPH_PATH, 'utf8')).toBe(readFileSync(out, 'utf8'));
  });

  it('joins Frame across the edits and metrics subgraphs', () => {
    const doc = parse(readFileSync(SUPERGRAPH_PATH, 'utf8'));
    const frame = doc.definitions.find(
      (d): d is ObjectTypeDefinitionNode =>
        d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === 'Frame',
    );
    expect(frame?.fields?.map((f) => f.name.value)).toEqual(
      expect.arrayContaining(['id', 'index', 'blobKey', 'metrics']),
    );
    const graphs = frame?.directives
      ?.filter((d) => d.name.value === 'join__type')
      .map((d) => d.arguments?.find((a) => a.name.value === 'graph')?.value)
      .map((v) => (v?.kind === Kind.ENUM ? v.value : undefined));
    expect(graphs?.sort()).toEqual(['EDITS', 'METRICS']);
  });
});
