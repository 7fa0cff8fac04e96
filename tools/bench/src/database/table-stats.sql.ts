import { Client } from 'pg';

/** One table's write counters and size, as Postgres' statistics report them. */
export interface TableStats {
  schema: string;
  table: string;
  inserted: number;
  updated: number;
  deleted: number;
  liveRows: number;
  /** pg_total_relation_size: the table, its indexes and TOAST. */
  bytes: number;
}

/** Every user table of the database (each service's schema), with its counters and size. */
export async function tableStats(databaseUrl: string): Promise<TableStats[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{
      schema: string;
      table: string;
      inserted: string;
      updated: string;
      deleted: string;
      live: string;
      bytes: string;
    }>(
      `SELECT schemaname AS schema, relname AS table, n_tup_ins AS inserted, n_tup_upd AS updated,
         n_tup_del AS deleted, n_live_tup AS live, pg_total_relation_size(relid) AS bytes
       FROM pg_stat_user_tables ORDER BY schemaname, relname`,
    );
    return rows.map((r) => ({
      schema: r.schema,
      table: r.table,
      inserted: Number(r.inserted),
      updated: Number(r.updated),
      deleted: Number(r.deleted),
      liveRows: Number(r.live),
      bytes: Number(r.bytes),
    }));
  } finally {
    await client.end();
  }
}
