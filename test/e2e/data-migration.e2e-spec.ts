// No data lost on the way to per-service ownership: a database of the shared schema at its last
// migration (before each service owned its data), filled as the platform of that time left it, is
// migrated by the same command `npm start` and the k8s db-migrate Job run; then every row is in
// its owner's schema and the platform, started on it with each service's own role, serves it.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import {
  createDatabase,
  dataOwners,
  dropDatabase,
  LEGACY_MIGRATIONS_DIR,
  LEGACY_SCHEMA,
  migrateDatabase,
  migratePlatform,
  type PlatformMigrationResult,
} from '@f2f/database';
import { REPO_ROOT, type RunningPlatform, startPlatform } from '@f2f/launcher';
import { Client } from 'pg';

import { testInfrastructure } from '../support/env';
import { fillLegacyDatabase, type LegacyFixture } from '../support/legacy-database';

jest.setTimeout(300_000);

const name = `f2f_t_e2e_migration_${randomBytes(3).toString('hex')}`;
let url: string;
let fixture: LegacyFixture;
let migration: PlatformMigrationResult;
let platform: RunningPlatform;
const moved: { table: string; owner: string[]; legacy: string[] }[] = [];

/** Tables that move whole to one owner: [table, owner's schema]. */
const WHOLE_TABLES: [string, string][] = [
  ['tenants', 'edits'],
  ['api_keys', 'edits'],
  ['edits', 'edits'],
  ['uploads', 'edits'],
  ['frames', 'edits'],
  ['captions', 'captioning'],
  ['caption_examples', 'captioning'],
  ['selections', 'frame_selection'],
  ['frame_metrics', 'metrics'],
  ['webhook_endpoints', 'webhooks'],
  ['webhook_deliveries', 'webhooks'],
  ['webhook_attempts', 'webhooks'],
];

async function query<T>(sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

const count = async (table: string) =>
  Number((await query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`))[0]!.n);

/** A table's rows as JSON, in a stable order, without the columns named, with `changed` merged in. */
const rowsOf = (table: string, without: string[] = [], changed = `'{}'::jsonb`) =>
  query<{ row: unknown }>(
    `SELECT (to_jsonb(t) || ${changed}) ${without.map((c) => `- '${c}'`).join(' ')} AS row FROM ${table} t
     ORDER BY (to_jsonb(t) || ${changed})::text`,
  ).then((rows) => rows.map((r) => JSON.stringify(r.row)));

/**
 * The owners' migrations that change values, applied to the legacy rows for the comparison: CLIP
 * score becomes CLIPScore with the raw cosine kept, and the example set "paper" is "paper-figures";
 * and the columns they add, empty on the moved rows (an edit's trace id), or filled (a final edit's
 * lossless copies were pruned when it finished).
 */
const MIGRATED_VALUES: Record<string, string> = {
  frame_metrics: `jsonb_build_object('clip_score', 2.5 * GREATEST(t.clip_score, 0), 'clip_cosine', t.clip_score)`,
  edits: `jsonb_build_object('trace_id', NULL, 'lossless_pruned_at', CASE WHEN t.status IN ('COMPLETED', 'FAILED', 'CANCELLED') THEN to_jsonb(COALESCE(t.completed_at, t.updated_at)) END)`,
  captions: `jsonb_build_object('example_set', CASE WHEN t.example_set = 'paper' THEN 'paper-figures' ELSE t.example_set END)`,
};

async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(platform.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${fixture.apiKey}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  return body.data!;
}

beforeAll(async () => {
  const { adminDatabaseUrl, kafkaBrokers } = testInfrastructure();
  url = await createDatabase(adminDatabaseUrl, name);
  await migrateDatabase(url, LEGACY_MIGRATIONS_DIR);
  fixture = await fillLegacyDatabase(url);
  migration = await migratePlatform(url);
  // What the migration left, before the platform (its bootstrap tenant) writes anything.
  for (const [table, schema] of WHOLE_TABLES)
    moved.push({
      table,
      owner: await rowsOf(`${schema}.${table}`),
      legacy: await rowsOf(`${LEGACY_SCHEMA}.${table}`, [], MIGRATED_VALUES[table]),
    });
  platform = await startPlatform({
    databaseUrl: url,
    kafkaBrokers,
    topicPrefix: `e2em${randomBytes(4).toString('hex')}.`,
    blobDir: await mkdtemp(path.join(os.tmpdir(), 'f2f-e2e-migration-')),
    logDir: path.join(REPO_ROOT, '.cache', 'test-logs', `e2e-migration-${Date.now()}`),
    stepDelayMs: 20,
    bootstrapTenant: 'tenant-bootstrap',
  });
});

afterAll(async () => {
  await platform?.stop();
  await dropDatabase(testInfrastructure().adminDatabaseUrl, name);
});

describe('migrating a database of the shared schema', () => {
  it('applies the rest of the shared history, then every owner its own migrations', () => {
    expect(migration.legacy?.applied).toEqual([]);
    expect(migration.owners.map((o) => o.service).sort()).toEqual(dataOwners().map((o) => o.service));
    for (const owner of migration.owners) expect(owner.result.applied.length).toBeGreaterThanOrEqual(2);
  });

  it("puts every row in its owner's schema, unchanged but for the value migrations, and leaves public empty", async () => {
    expect(moved.map((m) => m.table)).toEqual(WHOLE_TABLES.map(([t]) => t));
    for (const { table, owner, legacy } of moved) {
      expect([table, owner]).toEqual([table, legacy]);
      expect([table, owner.length]).toEqual([table, fixture.counts[table]]);
    }
    // History: the same entries, each stage's VLM usage added to its payload.
    expect(await rowsOf('edits.edit_events', ['payload'])).toEqual(
      await rowsOf(`${LEGACY_SCHEMA}.edit_events`, ['payload']),
    );
    const usage = await query<{ type: string; usage: { calls: number; promptTokens: number } }>(
      `SELECT type, payload->'usage' AS usage FROM edits.edit_events WHERE payload ? 'usage' ORDER BY type`,
    );
    expect(usage.map((u) => [u.type, u.usage.calls, u.usage.promptTokens])).toEqual([
      ['caption.completed', 1, 900],
      ['frame.selected', 1, 1500],
    ]);
    // Tables shared by several services are split by who wrote the rows.
    expect([await count('captioning.vlm_calls'), await count('frame_selection.vlm_calls')]).toEqual([1, 1]);
    for (const owner of dataOwners()) {
      const producer = owner.service === 'webhooks' ? 0 : 1;
      expect([
        owner.service,
        await count(`${owner.schema}.outbox_events`),
        await count(`${owner.schema}.processed_events`),
      ]).toEqual([owner.service, producer, 1]);
    }
    // Read models: edits' copy of the metrics, video-generation's cancellations.
    expect(await count('edits.edit_frame_metrics')).toBe(fixture.counts.frame_metrics);
    expect(await query('SELECT edit_id FROM video_generation.cancelled_edits')).toEqual([
      { edit_id: fixture.cancelledEditId },
    ]);
    expect(await query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)).toEqual([]);
  });

  it('is served through the API by the services, each connected as its own role', async () => {
    const { edit } = await gql<{
      edit: {
        status: string;
        temporalCaption: string;
        frames: { id: string; index: number; metrics: { ssim: number } | null }[];
        selectedFrame: { id: string; index: number } | null;
        metricsSummary: { frameCount: number; selected: { ssim: number } | null } | null;
        selectionDecision: { policy: string } | null;
        caption: { text: string } | null;
        history: { type: string }[];
      };
    }>(
      `query($id: ID!) { edit(id: $id) {
        status temporalCaption frames { id index metrics { ssim } } selectedFrame { id index }
        metricsSummary { frameCount selected { ssim } } selectionDecision { policy } caption { text }
        history { type } } }`,
      { id: fixture.editId },
    );
    expect(edit.status).toBe('COMPLETED');
    expect(edit.temporalCaption).toBe('The dog sits down.');
    expect(edit.frames.map((f) => f.id)).toEqual(fixture.frameIds);
    expect(edit.frames.map((f) => f.metrics?.ssim)).toEqual([1, 0.9, 0.8]);
    expect(edit.selectedFrame).toEqual({ id: fixture.frameIds[2], index: 2 });
    expect(edit.metricsSummary).toEqual({ frameCount: 3, selected: { ssim: 0.8 } });
    expect(edit.selectionDecision?.policy).toBe('vlm');
    expect(edit.caption?.text).toBe('The dog sits down.');
    expect(edit.history.map((h) => h.type)).toEqual([
      'edit.requested',
      'caption.completed',
      'video.generated',
      'frame.selected',
    ]);

    const cancelled = await gql<{ edit: { status: string } }>(
      `query($id: ID!) { edit(id: $id) { status } }`,
      {
        id: fixture.cancelledEditId,
      },
    );
    expect(cancelled.edit.status).toBe('CANCELLED');

    const tenant = await gql<{
      apiKeys: { id: string; name: string }[];
      captionExamples: { id: string }[];
      webhookEndpoints: { id: string; deliveries: { edges: { node: { status: string } }[] } }[];
      analytics: { vlmTokensByDay: { day: string; calls: number; promptTokens: number }[] };
    }>(
      `{ apiKeys { id name } captionExamples { id } webhookEndpoints { id deliveries { edges { node { status } } } }
         analytics(from: "2026-11-29T00:00:00Z", to: "2026-12-02T00:00:00Z") { vlmTokensByDay { day calls promptTokens } } }`,
    );
    expect(tenant.apiKeys).toEqual([{ id: fixture.apiKeyId, name: 'ops' }]);
    expect(tenant.captionExamples.map((e) => e.id)).toEqual([fixture.exampleId]);
    expect(tenant.webhookEndpoints).toEqual([
      { id: fixture.endpointId, deliveries: { edges: [{ node: { status: 'SUCCEEDED' } }] } },
    ]);
    expect(tenant.analytics.vlmTokensByDay).toEqual([{ day: '2026-11-30', calls: 2, promptTokens: 2400 }]);
  });
});
