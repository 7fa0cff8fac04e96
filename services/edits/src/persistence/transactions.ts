import type { Tx } from '../database';

/**
 * Runs work in one database transaction: what the repositories write with the `tx` it hands out
 * commits together or not at all. Use cases that start a transaction themselves (a GraphQL
 * mutation) depend on this port; a stage event's transaction comes from its HandlerContext.
 */
export interface Transactions {
  run<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
}
export const TRANSACTIONS = Symbol('Transactions');
