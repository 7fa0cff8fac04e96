import type { BenchPart } from '../part';

export const subscriptions: BenchPart = {
  id: 'subscriptions',
  title: 'Live subscribers',
  summary:
    'Kafka event to graphql-ws message latency at 10 and 1,000 subscribers, and gateway memory per subscriber',
  run() {
    return Promise.reject(new Error('not written yet (issue #16)'));
  },
};
