import type { BenchPart } from '../part';

export const gateway: BenchPart = {
  id: 'gateway',
  title: 'Gateway throughput',
  summary:
    'requests/s and p95 of the gateway versus @graphql-hive/gateway on the same supergraph and subgraphs',
  run() {
    return Promise.reject(new Error('not written yet (issue #16)'));
  },
};
