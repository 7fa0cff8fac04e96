import type { EditStatus } from '@f2f/contracts';
import { type TenantId } from '@f2f/database';
import { Prisma } from '../database';

/**
 * The SQL of the listing and of the analytics, as parameterised fragments: the repositories run
 * them, and the query-plan check (scripts/query-plans) runs EXPLAIN on exactly these. Every query
 * starts from the tenant: `tenant_id = $1` is the leading column of every index they use.
 */

export interface EditListFilter {
  status?: readonly EditStatus[];
  model?: string;
  selectionPolicy?: string;
  createdAfter?: Date;
  createdBefore?: Date;
  captionContains?: string;
}

/** A position in the listing: the last edit seen (newest first, createdAt then id). */
export interface EditCursor {
  createdAt: Date;
  id: string;
}

export interface Window {
  from: Date;
  to: Date;
}

const { sql, join } = Prisma;

function filterConditions(tenantId: TenantId, filter: EditListFilter): Prisma.Sql[] {
  const where = [sql`e.tenant_id = ${tenantId}`];
  if (filter.status && filter.status.length > 0) {
    where.push(sql`e.status IN (${join(filter.status.map((s) => sql`${s}::"EditStatus"`))})`);
  }
  if (filter.model !== undefined) where.push(sql`e.model = ${filter.model}`);
  if (filter.selectionPolicy !== undefined) where.push(sql`e.selection_policy = ${filter.selectionPolicy}`);
  if (filter.createdAfter) where.push(sql`e.created_at >= ${filter.createdAfter}::timestamptz`);
  if (filter.createdBefore) where.push(sql`e.created_at < ${filter.createdBefore}::timestamptz`);
  if (filter.captionContains !== undefined) {
    where.push(sql`e.target_caption ILIKE ${`%${escapeLike(filter.captionContains)}%`}`);
  }
  return where;
}

/** One page of ids, newest first; `limit` is one more than the page so that hasNextPage is known. */
export function listEditsSql(
  tenantId: TenantId,
  filter: EditListFilter,
  after: EditCursor | null,
  limit: number,
): Prisma.Sql {
  const where = filterConditions(tenantId, filter);
  if (after) {
    where.push(sql`(e.created_at, e.id) < (${after.createdAt}::timestamptz, ${after.id}::uuid)`);
  }
  return sql`SELECT e.id FROM edits e WHERE ${join(where, ' AND ')}
    ORDER BY e.created_at DESC, e.id DESC LIMIT ${limit}`;
}

export function countEditsSql(tenantId: TenantId, filter: EditListFilter): Prisma.Sql {
  return sql`SELECT count(*)::int AS n FROM edits e WHERE ${join(filterConditions(tenantId, filter), ' AND ')}`;
}

const inWindow = (tenantId: TenantId, w: Window) =>
  sql`e.tenant_id = ${tenantId} AND e.created_at >= ${w.from}::timestamptz AND e.created_at < ${w.to}::timestamptz`;

const utcDay = (column: Prisma.Sql) => sql`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;

/** Counts by status, by UTC day and by model (and the total) in one pass over the window. */
export function countsSql(tenantId: TenantId, w: Window): Prisma.Sql {
  const day = utcDay(sql`e.created_at`);
  return sql`SELECT GROUPING(e.status) AS g_status, GROUPING(${day}) AS g_day, GROUPING(e.model) AS g_model,
      e.status::text AS status, ${day} AS day, e.model AS model, count(*)::int AS n
    FROM edits e WHERE ${inWindow(tenantId, w)}
    GROUP BY GROUPING SETS ((e.status), (${day}), (e.model), ())`;
}

/** The stages, as the history's first event of each kind bounds them. */
export const STAGES = ['captioning', 'generation', 'selection', 'metrics', 'total'] as const;
export type Stage = (typeof STAGES)[number];

/**
 * p50 and p95 (continuous, linear interpolation) of each stage's duration in ms, over the edits
 * created in the window that recorded both ends of the stage. Per edit, its events are found by
 * edit_id (a lateral lookup on the (edit_id, seq) index), never by scanning the tenant's events.
 */
export function stageLatencySql(tenantId: TenantId, w: Window): Prisma.Sql {
  const ms = (later: string, earlier: string) =>
    Prisma.raw(`extract(epoch FROM (t.${later} - t.${earlier})) * 1000`);
  return sql`SELECT s.stage, count(s.ms)::int AS edits,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY s.ms) AS p50,
      percentile_cont(0.95) WITHIN GROUP (ORDER BY s.ms) AS p95
    FROM edits e
    CROSS JOIN LATERAL (
      SELECT min(ee.occurred_at) FILTER (WHERE ee.type = 'edit.requested') AS requested,
             min(ee.occurred_at) FILTER (WHERE ee.type = 'caption.completed') AS captioned,
             min(ee.occurred_at) FILTER (WHERE ee.type = 'video.generated') AS generated,
             min(ee.occurred_at) FILTER (WHERE ee.type = 'frame.selected') AS selected,
             min(ee.occurred_at) FILTER (WHERE ee.type = 'metrics.computed') AS measured
      FROM edit_events ee
      WHERE ee.edit_id = e.id AND ee.tenant_id = ${tenantId}
        AND ee.type IN ('edit.requested', 'caption.completed', 'video.generated', 'frame.selected', 'metrics.computed')
    ) t
    CROSS JOIN LATERAL (VALUES
      ('captioning', ${ms('captioned', 'requested')}),
      ('generation', ${ms('generated', 'captioned')}),
      ('selection', ${ms('selected', 'generated')}),
      ('metrics', ${ms('measured', 'generated')}),
      -- Done when both the selection and the metrics are (GREATEST would skip a missing one).
      ('total', CASE WHEN t.selected IS NULL OR t.measured IS NULL THEN NULL
                     ELSE extract(epoch FROM (GREATEST(t.selected, t.measured) - t.requested)) * 1000 END)
    ) AS s(stage, ms)
    WHERE ${inWindow(tenantId, w)}
    GROUP BY s.stage`;
}

/** GPU-seconds of generation per UTC day of the video.generated event. */
export function gpuSecondsSql(tenantId: TenantId, w: Window): Prisma.Sql {
  const day = utcDay(sql`ee.occurred_at`);
  return sql`SELECT ${day} AS day, sum((ee.payload->>'computeSeconds')::float8) AS value
    FROM edit_events ee
    WHERE ee.tenant_id = ${tenantId} AND ee.type = 'video.generated'
      AND ee.occurred_at >= ${w.from}::timestamptz AND ee.occurred_at < ${w.to}::timestamptz
    GROUP BY 1 ORDER BY 1`;
}

/**
 * VLM calls and tokens per UTC day, from the usage the captioning and selection stages announce
 * (caption.completed, frame.selected `usage`, in the history: one entry per stage of an edit, so a
 * re-published event counts once). An entry without usage counts as no call; days without calls
 * are left out.
 */
export function vlmTokensSql(tenantId: TenantId, w: Window): Prisma.Sql {
  const day = utcDay(sql`ee.occurred_at`);
  const usage = (field: string) => Prisma.raw(`coalesce((ee.payload->'usage'->>'${field}')::bigint, 0)`);
  return sql`SELECT ${day} AS day, sum(${usage('calls')})::int AS calls,
      sum(${usage('promptTokens')})::bigint AS prompt, sum(${usage('completionTokens')})::bigint AS completion
    FROM edit_events ee
    WHERE ee.tenant_id = ${tenantId} AND ee.type IN ('caption.completed', 'frame.selected')
      AND ee.occurred_at >= ${w.from}::timestamptz AND ee.occurred_at < ${w.to}::timestamptz
    GROUP BY 1 HAVING sum(${usage('calls')}) > 0 ORDER BY 1`;
}

/**
 * Completed edits by kept frame index (null: the source image), with how many of them a user
 * re-chose and how many now differ from the platform's choice.
 */
export function selectionsSql(tenantId: TenantId, w: Window): Prisma.Sql {
  return sql`SELECT e.selected_frame_index AS idx, count(*)::int AS n,
      count(*) FILTER (WHERE e.original_policy IS NOT NULL)::int AS rechosen,
      count(*) FILTER (WHERE e.original_policy IS NOT NULL
        AND (e.selected_candidate, e.selected_frame_index) IS DISTINCT FROM (e.original_candidate, e.original_frame_index))::int AS overridden
    FROM edits e
    WHERE ${inWindow(tenantId, w)} AND e.status = 'COMPLETED'::"EditStatus"
    GROUP BY 1 ORDER BY 1`;
}

/** The metrics of the kept frames the analytics average (edit_frame_metrics' columns). */
export const METRIC_COLUMNS = {
  ssim: 'ssim',
  psnr: 'psnr',
  lpips: 'lpips',
  clipI: 'clip_i',
  clipScore: 'clip_score',
} as const;
export type MetricName = keyof typeof METRIC_COLUMNS;

/**
 * Mean metrics of the kept frame by model and current policy, from the frame metrics the edits
 * service recorded from metrics.computed (edit_frame_metrics, found per edit by its primary key).
 */
export function metricMeansSql(tenantId: TenantId, w: Window): Prisma.Sql {
  const names = Object.keys(METRIC_COLUMNS) as MetricName[];
  // Identifiers from the fixed list above only; values stay parameters.
  const means = names.map((name) => Prisma.raw(`avg(m.${METRIC_COLUMNS[name]})::float8 AS "${name}"`));
  return sql`SELECT e.model, e.selection_policy AS policy, count(*)::int AS edits, ${join(means, ', ')}
    FROM edits e
    CROSS JOIN LATERAL (
      SELECT fm.* FROM edit_frame_metrics fm
      WHERE fm.edit_id = e.id AND fm.candidate = e.selected_candidate AND fm.index = e.selected_frame_index
        AND fm.tenant_id = ${tenantId}
      LIMIT 1 -- the primary key: one row; the limit keeps the lookup per edit (no hash join of the table)
    ) m
    WHERE ${inWindow(tenantId, w)} AND e.status = 'COMPLETED'::"EditStatus" AND e.selected_frame_index IS NOT NULL
    GROUP BY 1, 2 ORDER BY 1, 2`;
}

/** LIKE's wildcards taken literally (backslash is the default escape character). */
/** A history row of the tenant feed (edit_events, as Prisma names its fields). */
export interface FeedRow {
  id: bigint;
  tenantId: string;
  editId: string;
  seq: number;
  eventId: string;
  type: string;
  payload: unknown;
  occurredAt: Date;
  recordedAt: Date;
}

/** The tenant's history entries after a feed position, in recording order (recorded_at, id). */
export function feedAfterSql(
  tenantId: TenantId,
  after: { recordedAt: Date; id: bigint },
  limit: number,
): Prisma.Sql {
  return sql`SELECT id, tenant_id AS "tenantId", edit_id::text AS "editId", seq, event_id::text AS "eventId", type,
      payload, occurred_at AS "occurredAt", recorded_at AS "recordedAt"
    FROM edit_events
    WHERE tenant_id = ${tenantId} AND (recorded_at, id) > (${after.recordedAt}::timestamptz, ${after.id}::bigint)
    ORDER BY recorded_at, id
    LIMIT ${limit}`;
}

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
