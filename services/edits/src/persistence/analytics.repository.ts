import { DomainError, ErrorCode } from '@f2f/common';
import { type TenantId } from '@f2f/database';
import { type Prisma, type PrismaClient } from '../database';
import { PRISMA } from '@f2f/platform';
import { Inject, Injectable, Optional } from '@nestjs/common';

import {
  countsSql,
  gpuSecondsSql,
  type MetricName,
  metricMeansSql,
  selectionsSql,
  type Stage,
  stageLatencySql,
  STAGES,
  vlmTokensSql,
  type Window,
} from './edit-queries.sql';

export interface EditAnalytics {
  total: number;
  byStatus: { status: string; count: number }[];
  byDay: { day: string; count: number }[];
  byModel: { model: string; count: number }[];
  stageLatency: { stage: Stage; edits: number; p50Ms: number | null; p95Ms: number | null }[];
  gpuSecondsByDay: { day: string; value: number }[];
  vlmTokensByDay: {
    day: string;
    calls: number;
    promptTokens: number;
    completionTokens: number;
    totalTokens: number;
  }[];
  selectedFrameIndex: { index: number; count: number }[];
  overrides: { completed: number; rechosen: number; overridden: number; share: number | null };
  noEdit: { total: number; count: number; share: number | null };
  metricsByModelAndPolicy: ({ model: string; policy: string; edits: number } & Record<
    MetricName,
    number | null
  >)[];
}

const share = (count: number, total: number): number | null => (total === 0 ? null : count / total);

/** ANALYTICS_STATEMENT_TIMEOUT_MS: the longest one analytics query may run in Postgres. */
export const ANALYTICS_STATEMENT_TIMEOUT_MS = Symbol('AnalyticsStatementTimeoutMs');

/** Postgres' query_canceled, which statement_timeout raises. */
const QUERY_CANCELED = '57014';

/** Aggregations over a tenant's history; every query is scoped by the tenant first. */
@Injectable()
export class AnalyticsRepository {
  constructor(
    @Inject(PRISMA) private readonly prisma: PrismaClient,
    @Optional()
    @Inject(ANALYTICS_STATEMENT_TIMEOUT_MS)
    private readonly statementTimeoutMs: number = 5_000,
  ) {}

  /**
   * Runs one aggregation under statement_timeout (SET LOCAL in its own transaction, so that the
   * aggregations still run side by side on their own connections): Postgres cancels it past the
   * deadline, and the caller gets UNAVAILABLE instead of a core busy after the client gave up.
   */
  private timed<T>(sql: Prisma.Sql): Promise<T> {
    const ms = Math.floor(this.statementTimeoutMs);
    return this.prisma
      .$transaction([
        this.prisma.$executeRawUnsafe(`SET LOCAL statement_timeout = ${ms}`),
        this.prisma.$queryRaw<T>(sql),
      ])
      .then(
        ([, rows]) => rows,
        (error: unknown) => {
          if (!String((error as { message?: unknown })?.message).includes(QUERY_CANCELED)) throw error;
          throw new DomainError(
            ErrorCode.Unavailable,
            `the analytics query ran past its ${ms} ms limit; ask for a shorter range`,
            { statementTimeoutMs: ms },
          );
        },
      );
  }

  async analytics(tenantId: TenantId, window: Window): Promise<EditAnalytics> {
    const [counts, latency, gpu, tokens, selections, means] = await Promise.all([
      this.timed<
        {
          g_status: number;
          g_day: number;
          g_model: number;
          status: string | null;
          day: string | null;
          model: string | null;
          n: number;
        }[]
      >(countsSql(tenantId, window)),
      this.timed<{ stage: Stage; edits: number; p50: number | null; p95: number | null }[]>(
        stageLatencySql(tenantId, window),
      ),
      this.timed<{ day: string; value: number }[]>(gpuSecondsSql(tenantId, window)),
      this.timed<{ day: string; calls: number; prompt: bigint; completion: bigint }[]>(
        vlmTokensSql(tenantId, window),
      ),
      this.timed<{ idx: number | null; n: number; rechosen: number; overridden: number }[]>(
        selectionsSql(tenantId, window),
      ),
      this.timed<({ model: string; policy: string; edits: number } & Record<MetricName, number | null>)[]>(
        metricMeansSql(tenantId, window),
      ),
    ]);
    // GROUPING(x) is 1 where the row is not grouped by x: the row of (status) has 0 for status only.
    const only = (r: (typeof counts)[number], set: 'status' | 'day' | 'model') =>
      Number(r.g_status) === (set === 'status' ? 0 : 1) &&
      Number(r.g_day) === (set === 'day' ? 0 : 1) &&
      Number(r.g_model) === (set === 'model' ? 0 : 1);
    const total = counts.find((r) => Number(r.g_status) + Number(r.g_day) + Number(r.g_model) === 3)?.n ?? 0;
    const byStage = new Map(latency.map((r) => [r.stage, r]));
    const completed = selections.reduce((sum, r) => sum + r.n, 0);
    const noEdit = selections.find((r) => r.idx === null)?.n ?? 0;
    const rechosen = selections.reduce((sum, r) => sum + r.rechosen, 0);
    const overridden = selections.reduce((sum, r) => sum + r.overridden, 0);
    return {
      total,
      byStatus: counts
        .filter((r) => only(r, 'status'))
        .map((r) => ({ status: r.status!, count: r.n }))
        .sort((a, b) => a.status.localeCompare(b.status)),
      byDay: counts
        .filter((r) => only(r, 'day'))
        .map((r) => ({ day: r.day!, count: r.n }))
        .sort((a, b) => a.day.localeCompare(b.day)),
      byModel: counts
        .filter((r) => only(r, 'model'))
        .map((r) => ({ model: r.model!, count: r.n }))
        .sort((a, b) => b.count - a.count || a.model.localeCompare(b.model)),
      stageLatency: STAGES.map((stage) => {
        const r = byStage.get(stage);
        return { stage, edits: r?.edits ?? 0, p50Ms: r?.p50 ?? null, p95Ms: r?.p95 ?? null };
      }),
      gpuSecondsByDay: gpu.map((r) => ({ day: r.day, value: Number(r.value) })),
      vlmTokensByDay: tokens.map((r) => ({
        day: r.day,
        calls: r.calls,
        promptTokens: Number(r.prompt),
        completionTokens: Number(r.completion),
        totalTokens: Number(r.prompt) + Number(r.completion),
      })),
      selectedFrameIndex: selections
        .filter((r) => r.idx !== null)
        .map((r) => ({ index: r.idx!, count: r.n })),
      overrides: { completed, rechosen, overridden, share: share(overridden, completed) },
      noEdit: { total: completed, count: noEdit, share: share(noEdit, completed) },
      metricsByModelAndPolicy: means,
    };
  }
}
