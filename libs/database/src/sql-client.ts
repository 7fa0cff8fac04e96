/**
 * What shared code (the outbox, the inbox, the platform) needs of a service's Prisma client. Each
 * service has its own generated client (services/<service>/prisma), so shared code cannot name one:
 * it writes plain SQL through these, and every generated client and transaction client fits them.
 */
export interface SqlClient {
  $executeRaw(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<number>;
  $queryRaw<T = unknown>(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<T>;
}

export interface TransactionOptions {
  maxWait?: number;
  timeout?: number;
}

/** A service's Prisma client as shared code sees it: plain SQL and interactive transactions. */
export interface ServiceDatabase<Tx extends SqlClient = SqlClient> extends SqlClient {
  $transaction<R>(work: (tx: Tx) => Promise<R>, options?: TransactionOptions): Promise<R>;
  $disconnect(): Promise<void>;
}

/** The transaction client of a service's Prisma client. */
export type TxOf<Client> = Client extends { $transaction(work: (tx: infer Tx) => Promise<unknown>): unknown }
  ? Tx
  : never;
