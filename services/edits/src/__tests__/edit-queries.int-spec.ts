import { createDatabase, type PrismaClient as ServiceClient } from '../database';
import { DomainError, ErrorCode } from '@f2f/common';
import type { TenantId } from '@f2f/database';
import type { Edit } from '../database';

import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { AnalyticsQuery } from '../analytics/analytics.query';
import { encodeCursor, type EditFilterInput, ListEditsQuery } from '../list-edits/list-edits.query';
import { AnalyticsRepository } from '../persistence/analytics.repository';
import { PrismaEditsRepository } from '../persistence/edits.repository';
import { makeEdit, makeEditEvent, makeFrames, makeTenant } from './factories';

let db: TestDatabase<ServiceClient>;
let edits: PrismaEditsRepository;

beforeAll(async () => {
  db = await createTestDatabase('edit_queries', createDatabase);
  edits = new PrismaEditsRepository(db.prisma);
});
afterAll(() => db.drop());

/** What the resolver does for one page. */
async function page(tenantId: TenantId, first: number, after: string | null, filter: EditFilterInput = {}) {
  const query = ListEditsQuery.create(tenantId, first, after, filter);
  const rows = await edits.listEdits(tenantId, query.filter, query.after, query.first + 1);
  const nodes = rows.slice(0, first);
  return {
    ids: nodes.map((e) => e.id),
    hasNextPage: rows.length > first,
    endCursor: nodes.length ? encodeCursor(nodes.at(-1)!) : null,
    total: await edits.countEdits(tenantId, query.filter),
  };
}

const newestFirst = (list: Edit[]) =>
  [...list]
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
    .map((e) => e.id);

describe('the edits listing', () => {
  let tenant: TenantId;
  let all: Edit[];

  beforeAll(async () => {
    tenant = await makeTenant(db.prisma, 'list');
    const other = await makeTenant(db.prisma, 'other');
    all = [];
    const base = Date.parse('2026-05-01T12:00:00Z');
    for (let i = 0; i < 23; i++) {
      // Pairs share a createdAt: the cursor must order them by id.
      all.push(
        await makeEdit(db.prisma, tenant, {
          createdAt: new Date(base + Math.floor(i / 2) * 60_000),
          status: i % 3 === 0 ? 'FAILED' : i % 3 === 1 ? 'GENERATING' : 'COMPLETED',
          model: i % 2 === 0 ? 'cogvideox-5b-i2v' : 'preview',
          selectionPolicy: i % 3 === 2 ? (i % 4 === 0 ? 'user' : 'vlm') : null,
          targetCaption: i === 5 ? 'A photo of 100% pure_joy.' : `A photo of dog ${i}.`,
        }),
      );
    }
    for (let i = 0; i < 4; i++) await makeEdit(db.prisma, other, { createdAt: new Date(base + i * 60_000) });
  });

  it('pages newest first with no duplicates or skips while new edits arrive', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const p = await page(tenant, 5, after);
      seen.push(...p.ids);
      pages++;
      // New edits arrive between pages: they are newer than the cursor and never show up later.
      await makeEdit(db.prisma, tenant, { targetCaption: `A photo of a late dog ${pages}.` });
      if (!p.hasNextPage) break;
      after = p.endCursor;
    }
    expect(pages).toBe(5);
    expect(seen).toEqual(newestFirst(all));
  });

  it('filters by status, model, policy, time and caption, and counts the matches', async () => {
    const expectFilter = async (filter: EditFilterInput, keep: (e: Edit) => boolean) => {
      const expected = newestFirst(all.filter(keep));
      const first = await page(tenant, 100, null, filter);
      expect({ filter, ids: first.ids, total: first.total }).toEqual({
        filter,
        ids: expected,
        total: expected.length,
      });
    };
    const end = new Date(Date.parse('2026-05-01T12:00:00Z') + 11 * 60_000);
    const scope = { createdBefore: end.toISOString() }; // leaves out the late edits of the other test
    await expectFilter({ ...scope, status: ['FAILED', 'COMPLETED'] }, (e) => e.status !== 'GENERATING');
    await expectFilter({ ...scope, model: 'preview' }, (e) => e.model === 'preview');
    await expectFilter({ ...scope, selectionPolicy: 'user' }, (e) => e.selectionPolicy === 'user');
    await expectFilter(
      { createdAfter: '2026-05-01T12:03:00Z', createdBefore: '2026-05-01T12:06:00Z' },
      (e) =>
        e.createdAt >= new Date('2026-05-01T12:03:00Z') && e.createdAt < new Date('2026-05-01T12:06:00Z'),
    );
    // LIKE's wildcards are literal: "0%" matches only the caption that has it.
    await expectFilter({ ...scope, captionContains: '0% PURE_' }, (e) =>
      e.targetCaption.includes('100% pure_joy'),
    );
    await expectFilter({ ...scope, captionContains: 'dog 1' }, (e) => /dog 1\d?\./.test(e.targetCaption));
    await expectFilter(
      { ...scope, status: ['COMPLETED'], model: 'cogvideox-5b-i2v' },
      (e) => e.status === 'COMPLETED' && e.model === 'cogvideox-5b-i2v',
    );
  });

  it('refuses bad arguments with BAD_USER_INPUT codes', () => {
    const bad: [number | null, string | null, EditFilterInput][] = [
      [0, null, {}],
      [101, null, {}],
      [10, 'not-a-cursor!', {}],
      [10, Buffer.from('123:nope').toString('base64url'), {}],
      [10, null, { status: ['DONE'] }],
      [10, null, { createdAfter: 'yesterday' }],
      [10, null, { captionContains: '' }],
      [10, null, { captionContains: 'x'.repeat(201) }],
    ];
    for (const [first, after, filter] of bad) {
      let code = 'no error';
      try {
        ListEditsQuery.create(tenant, first, after, filter);
      } catch (err) {
        code = err instanceof DomainError ? err.code : String(err);
      }
      expect({ first, after, filter, code }).toEqual({ first, after, filter, code: ErrorCode.InvalidInput });
    }
  });
});

describe('analytics over a hand-built history', () => {
  let tenant: TenantId;
  const day1 = Date.parse('2026-03-01T10:00:00Z');
  const day2 = Date.parse('2026-03-02T10:00:00Z');

  beforeAll(async () => {
    tenant = await makeTenant(db.prisma, 'stats');
    const other = await makeTenant(db.prisma, 'noise');
    // Ten completed edits, i = 1..10: captioning 100·i ms, generation 2 s, selection 10·i ms,
    // metrics 50 ms. Kept frame (current / the platform's original):
    const kept: [number | null, string, number | null][] = [
      [12, 'vlm', null],
      [12, 'vlm', null],
      [24, 'vlm', null],
      [36, 'vlm', null],
      [48, 'vlm', null],
      [null, 'vlm', null], // no edit
      [null, 'vlm', null], // no edit
      [30, 'user', 12], // overridden
      [24, 'user', 24], // re-chosen, the same frame: not an override
      [null, 'user', 36], // the user keeps the source: an override, and no edit
    ];
    for (let i = 1; i <= 10; i++) {
      const [index, policy, original] = kept[i - 1];
      const createdAt = new Date((i <= 5 ? day1 : day2) + i * 1000);
      const edit = await makeEdit(db.prisma, tenant, {
        createdAt,
        model: i <= 6 ? 'cogvideox-5b-i2v' : 'preview',
        selectedCandidate: index === null ? null : 0,
        selectedFrameIndex: index,
        selectionPolicy: policy,
        ...(policy === 'user'
          ? { originalCandidate: 0, originalFrameIndex: original, originalPolicy: 'vlm' }
          : {}),
      });
      const t = createdAt.getTime();
      const captioned = t + 100 * i;
      const generated = captioned + 2000;
      await makeEditEvent(db.prisma, edit, 1, 'edit.requested', new Date(t));
      // The VLM usage the stages announced: day 1 one call for edit 1's caption and one for edit
      // 2's selection, day 2 one for edit 6's caption; every other stage made none (or, for edit
      // 3, announced no usage at all, as events from before usage was announced).
      const usage = (calls: number, prompt: number, completion: number) => ({
        usage: { calls, promptTokens: prompt, completionTokens: completion, latencyMs: 5, model: 'gpt-4o' },
      });
      const none = i === 3 ? {} : usage(0, 0, 0);
      await makeEditEvent(
        db.prisma,
        edit,
        2,
        'caption.completed',
        new Date(captioned),
        i === 1 ? usage(1, 100, 10) : i === 6 ? usage(1, 50, 5) : none,
      );
      await makeEditEvent(db.prisma, edit, 3, 'video.generated', new Date(generated), {
        computeSeconds: 1.5 * i,
      });
      await makeEditEvent(
        db.prisma,
        edit,
        4,
        'frame.selected',
        new Date(generated + 10 * i),
        i === 2 ? usage(1, 200, 20) : none,
      );
      await makeEditEvent(db.prisma, edit, 5, 'metrics.computed', new Date(generated + 50));
      // The kept frame (ssim 0.1·(10 - i), psnr 30 - 2i) and frame 0, which must not count.
      await makeFrames(db.prisma, edit, [
        { index: 0, ssim: 1, psnr: 99 },
        ...(index === null ? [] : [{ index, ssim: 0.1 * (10 - i), psnr: 30 - 2 * i }]),
      ]);
    }
    // A failed edit (only its request), one just outside each end of the window, and another tenant's.
    const failed = await makeEdit(db.prisma, tenant, {
      createdAt: new Date(day2),
      status: 'FAILED',
      model: 'preview',
      selectionPolicy: null,
      selectedFrameIndex: null,
    });
    await makeEditEvent(db.prisma, failed, 1, 'edit.requested', new Date(day2));
    await makeEdit(db.prisma, tenant, { createdAt: new Date('2026-02-28T23:59:59.999Z') });
    await makeEdit(db.prisma, tenant, { createdAt: new Date('2026-03-03T00:00:00Z') });
    const noise = await makeEdit(db.prisma, other, { createdAt: new Date(day1), selectedFrameIndex: 7 });
    await makeEditEvent(db.prisma, noise, 1, 'edit.requested', new Date(day1));
    await makeEditEvent(db.prisma, noise, 2, 'caption.completed', new Date(day1 + 999_999));
    await makeEditEvent(db.prisma, noise, 3, 'video.generated', new Date(day1 + 9_999_999), {
      computeSeconds: 1000,
    });
    await makeFrames(db.prisma, noise, [{ index: 7, ssim: 0, psnr: 0 }]);
    // Another tenant's VLM usage, which must not count.
    await makeEditEvent(db.prisma, noise, 4, 'frame.selected', new Date(day2), {
      usage: { calls: 9, promptTokens: 100_000, completionTokens: 100_000, latencyMs: 1, model: 'gpt-4o' },
    });
  });

  it('computes counts, percentiles, GPU-seconds, tokens, the frame distribution, overrides and no-edit share', async () => {
    const query = AnalyticsQuery.create(tenant, '2026-03-01T00:00:00Z', '2026-03-03T00:00:00Z');
    const a = await new AnalyticsRepository(db.prisma).analytics(tenant, query.window);
    expect(a.total).toBe(11);
    expect(a.byStatus).toEqual([
      { status: 'COMPLETED', count: 10 },
      { status: 'FAILED', count: 1 },
    ]);
    expect(a.byDay).toEqual([
      { day: '2026-03-01', count: 5 },
      { day: '2026-03-02', count: 6 },
    ]);
    expect(a.byModel).toEqual([
      { model: 'cogvideox-5b-i2v', count: 6 },
      { model: 'preview', count: 5 },
    ]);
    // Linear interpolation over 10 values: p50 between the 5th and 6th, p95 at 8.55 (0-based).
    // captioning 100..1000: 550, 955. selection 10..100: 55, 95.5.
    // total = 100i + 2000 + max(10i, 50): 2150 2250 2350 2450 2550 2660 2770 2880 2990 3100.
    const round = (v: number | null) => (v === null ? null : Math.round(v * 1e6) / 1e6);
    expect(a.stageLatency.map((s) => ({ ...s, p50Ms: round(s.p50Ms), p95Ms: round(s.p95Ms) }))).toEqual([
      { stage: 'captioning', edits: 10, p50Ms: 550, p95Ms: 955 },
      { stage: 'generation', edits: 10, p50Ms: 2000, p95Ms: 2000 },
      { stage: 'selection', edits: 10, p50Ms: 55, p95Ms: 95.5 },
      { stage: 'metrics', edits: 10, p50Ms: 50, p95Ms: 50 },
      { stage: 'total', edits: 10, p50Ms: 2605, p95Ms: 3050.5 },
    ]);
    // 1.5 · (1+..+5) and 1.5 · (6+..+10).
    expect(a.gpuSecondsByDay).toEqual([
      { day: '2026-03-01', value: 22.5 },
      { day: '2026-03-02', value: 60 },
    ]);
    expect(a.vlmTokensByDay).toEqual([
      { day: '2026-03-01', calls: 2, promptTokens: 300, completionTokens: 30, totalTokens: 330 },
      { day: '2026-03-02', calls: 1, promptTokens: 50, completionTokens: 5, totalTokens: 55 },
    ]);
    expect(a.selectedFrameIndex).toEqual([
      { index: 12, count: 2 },
      { index: 24, count: 2 },
      { index: 30, count: 1 },
      { index: 36, count: 1 },
      { index: 48, count: 1 },
    ]);
    expect(a.overrides).toEqual({ completed: 10, rechosen: 3, overridden: 2, share: 0.2 });
    expect(a.noEdit).toEqual({ total: 10, count: 3, share: 0.3 });
    // cogvideox/vlm: i = 1..5 → ssim 0.9..0.5, psnr 28..20; preview/user: i = 8, 9 → ssim 0.2, 0.1, psnr 14, 12.
    expect(a.metricsByModelAndPolicy).toHaveLength(2);
    const [cog, preview] = a.metricsByModelAndPolicy;
    expect(cog).toMatchObject({ model: 'cogvideox-5b-i2v', policy: 'vlm', edits: 5, psnr: 24 });
    expect(cog.ssim).toBeCloseTo(0.7, 10);
    expect(preview).toMatchObject({ model: 'preview', policy: 'user', edits: 2, psnr: 13 });
    expect(preview.ssim).toBeCloseTo(0.15, 10);
    expect([cog.lpips, cog.clipI, cog.clipScore]).toEqual([null, null, null]);
  });

  it('averages the learned metrics where the frames have them', async () => {
    await db.prisma.$executeRawUnsafe(
      'UPDATE edit_frame_metrics SET lpips = 1 - ssim, clip_score = psnr / 100',
    );
    const query = AnalyticsQuery.create(tenant, '2026-03-01T00:00:00Z', '2026-03-03T00:00:00Z');
    const a = await new AnalyticsRepository(db.prisma).analytics(tenant, query.window);
    const [cog] = a.metricsByModelAndPolicy;
    expect(cog.lpips).toBeCloseTo(0.3, 10);
    expect(cog.clipScore).toBeCloseTo(0.24, 10);
    expect(cog.clipI).toBeNull();
  });

  it('cancels an analytics query past ANALYTICS_STATEMENT_TIMEOUT_MS (statement_timeout) with UNAVAILABLE', async () => {
    const query = AnalyticsQuery.create(tenant, '2026-03-01T00:00:00Z', '2026-03-03T00:00:00Z');
    const repository = new AnalyticsRepository(db.prisma, 300);
    // A transaction holding the edits table makes every aggregation wait: statement_timeout counts the wait.
    const started = Date.now();
    const failure = await db.prisma.$transaction(
      async (tx) => {
        await tx.$executeRawUnsafe('LOCK TABLE edits IN ACCESS EXCLUSIVE MODE');
        return repository.analytics(tenant, query.window).then(
          () => undefined,
          (e: unknown) => e,
        );
      },
      { timeout: 20_000 },
    );
    expect(failure).toBeInstanceOf(DomainError);
    expect(failure).toMatchObject({ code: ErrorCode.Unavailable, details: { statementTimeoutMs: 300 } });
    expect(Date.now() - started).toBeLessThan(5_000);
    // Without the lock the same repository answers, so the timeout is per statement, not a broken query.
    expect((await repository.analytics(tenant, query.window)).total).toBeGreaterThan(0);
  });

  it('refuses a bad window', () => {
    for (const [from, to] of [
      ['2026-03-02T00:00:00Z', '2026-03-01T00:00:00Z'],
      ['2026-03-01', '2027-06-01'],
      ['soon', '2026-03-01'],
    ]) {
      expect(() => AnalyticsQuery.create(tenant, from, to)).toThrow(DomainError);
    }
  });
});
