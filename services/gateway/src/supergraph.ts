import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The supergraph composed by `npm run codegen` from the subgraphs' SDL and checked in. */
export const SUPERGRAPH_PATH = path.resolve(__dirname, '../supergraph.graphql');

export function loadSupergraph(): string {
  return readFileSync(SUPERGRAPH_PATH, 'utf8');
}
