import { createLogger } from '@f2f/common';
import type { EditStatus, EventEnvelope, Topic } from '@f2f/contracts';
import type { TenantId } from '@f2f/database';
import type { Edit, EditEvent, Frame, Tx, Upload } from '../database';
import type { HandlerContext } from '@f2f/messaging';

import type { EditHistory, HistoryAnnouncement, NewHistoryEntry } from '../history/edit-history';
import type { EditChanges, EditsRepository, NewEdit } from '../persistence/edits';
import type { AnnouncedFrame, FrameMetricValues, FramesRepository } from '../persistence/frames';
import type { Transactions } from '../persistence/transactions';
import type { StoredUpload, UploadPurpose, UploadsRepository } from '../uploads/uploads.repository';

/**
 * The edits service's repositories in memory, for unit tests of its use cases: rows in arrays, a
 * "transaction" that runs its work with no client (the repositories ignore `tx`), so that what a
 * use case records can be read back without Postgres. A transaction that throws leaves what it
 * wrote (there is no rollback): tests of refusals check that nothing was written before the check.
 */
export const NO_TX = undefined as never as Tx;

export class InMemoryTransactions implements Transactions {
  runs = 0;
  run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    this.runs++;
    return work(NO_TX);
  }
}

/** A stage event's context: runs the work once per event id that succeeded, like the consumer's inbox. */
export function inMemoryHandlerContext(event: { eventId: string }, handled = new Set<string>()) {
  const ctx: Pick<HandlerContext<Tx>, 'transaction' | 'logger'> = {
    logger: createLogger('test', 'silent'),
    transaction: async (work) => {
      if (handled.has(event.eventId)) return undefined;
      const result = await work(NO_TX);
      handled.add(event.eventId); // a failed event is not handled: it is delivered again
      return result;
    },
  };
  return ctx;
}

/** An appended entry with its announcement, as the Prisma history writes edit_events and edit.status. */
export interface AppendedEntry extends NewHistoryEntry {
  id: bigint;
  editId: string;
  tenantId: TenantId;
  announcement: HistoryAnnouncement;
}

export class InMemoryEditHistory implements EditHistory {
  entries: AppendedEntry[] = [];

  async append(
    _tx: Tx,
    edit: { id: string; tenantId: TenantId },
    entry: NewHistoryEntry,
    announcement: HistoryAnnouncement,
  ): Promise<void> {
    if (this.entries.some((e) => e.editId === edit.id && (e.seq === entry.seq || e.key === entry.key))) {
      throw new Error(`edit ${edit.id} has an entry at seq ${entry.seq} or with key ${entry.key} already`);
    }
    this.entries.push({
      ...entry,
      id: BigInt(this.entries.length + 1),
      editId: edit.id,
      tenantId: edit.tenantId,
      announcement,
    });
  }

  async keys(_tx: Tx, tenantId: TenantId, editId: string, scope: string): Promise<string[]> {
    return this.of(tenantId, editId)
      .map((e) => e.key)
      .filter((k) => k.startsWith(scope));
  }

  of(tenantId: TenantId, editId: string): AppendedEntry[] {
    return this.entries.filter((e) => e.tenantId === tenantId && e.editId === editId);
  }

  /** The statuses edit.status announced for an edit, in order. */
  announced(
    editId: string,
  ): { seq: number; type: string; status: EditStatus; previous: EditStatus | null }[] {
    return this.entries
      .filter((e) => e.editId === editId)
      .map((e) => ({
        seq: e.seq,
        type: e.type,
        status: e.announcement.status.after,
        previous: e.announcement.status.before,
      }));
  }
}

export class InMemoryFramesRepository implements FramesRepository {
  frames: (AnnouncedFrame & { tenantId: TenantId; editId: string })[] = [];
  metrics: (FrameMetricValues & { tenantId: TenantId; editId: string })[] = [];

  async record(
    _tx: Tx,
    tenantId: TenantId,
    editId: string,
    frames: readonly AnnouncedFrame[],
  ): Promise<void> {
    for (const frame of frames) {
      const at = this.frames.findIndex(
        (f) => f.editId === editId && f.candidate === frame.candidate && f.index === frame.index,
      );
      const row = { ...frame, tenantId, editId };
      if (at < 0) this.frames.push(row);
      else this.frames[at] = { ...row, frameId: this.frames[at].frameId };
    }
  }

  async recordMetrics(
    _tx: Tx,
    tenantId: TenantId,
    editId: string,
    metrics: readonly FrameMetricValues[],
  ): Promise<void> {
    for (const m of metrics) {
      const at = this.metrics.findIndex(
        (r) => r.editId === editId && r.candidate === m.candidate && r.index === m.index,
      );
      if (at < 0) this.metrics.push({ ...m, tenantId, editId });
      else this.metrics[at] = { ...m, tenantId, editId };
    }
  }
}

const UNFINISHED_EXCLUDES = new Set<EditStatus>(['COMPLETED', 'FAILED', 'CANCELLED']);

/** Edits and frames in arrays; reads of the history come from an InMemoryEditHistory. */
export class InMemoryEditsRepository implements EditsRepository {
  edits: Edit[] = [];
  frameRows: Frame[] = [];
  tenants = new Set<string>();
  /** Which edits a transaction locked, in order. */
  locked: string[] = [];

  constructor(private readonly historyOf: InMemoryEditHistory = new InMemoryEditHistory()) {}

  async findEdit(tenantId: TenantId, id: string): Promise<Edit | null> {
    return this.edits.find((e) => e.tenantId === tenantId && e.id === id) ?? null;
  }
  async findByIdempotencyKey(tenantId: TenantId, key: string): Promise<Edit | null> {
    return this.edits.find((e) => e.tenantId === tenantId && e.idempotencyKey === key) ?? null;
  }
  lockIdempotencyKey(_tx: Tx, tenantId: TenantId, key: string): Promise<Edit | null> {
    return this.findByIdempotencyKey(tenantId, key);
  }
  async listEdits(tenantId: TenantId): Promise<Edit[]> {
    return this.edits.filter((e) => e.tenantId === tenantId);
  }
  async countEdits(tenantId: TenantId): Promise<number> {
    return this.edits.filter((e) => e.tenantId === tenantId).length;
  }
  async frames(tenantId: TenantId, editId: string, candidate?: number): Promise<Frame[]> {
    return this.frameRows.filter(
      (f) =>
        f.tenantId === tenantId &&
        f.editId === editId &&
        (candidate === undefined || f.candidate === candidate),
    );
  }
  async frame(tenantId: TenantId, id: string): Promise<Frame | null> {
    return this.frameRows.find((f) => f.tenantId === tenantId && f.id === id) ?? null;
  }
  async frameAt(tenantId: TenantId, editId: string, candidate: number, index: number): Promise<Frame | null> {
    return (
      this.frameRows.find(
        (f) =>
          f.tenantId === tenantId && f.editId === editId && f.candidate === candidate && f.index === index,
      ) ?? null
    );
  }
  async frameOfEdit(_tx: Tx, tenantId: TenantId, editId: string, frameId: string): Promise<Frame | null> {
    return (
      this.frameRows.find((f) => f.tenantId === tenantId && f.editId === editId && f.id === frameId) ?? null
    );
  }
  async history(tenantId: TenantId, editId: string): Promise<EditEvent[]> {
    return this.historyOf.of(tenantId, editId).map((e) => ({
      id: e.id,
      tenantId: e.tenantId,
      editId: e.editId,
      seq: e.seq,
      eventId: e.eventId,
      type: e.type,
      key: e.key,
      payload: e.payload as EditEvent['payload'],
      occurredAt: e.occurredAt,
      recordedAt: e.occurredAt,
    }));
  }
  async feedAfter(): Promise<never[]> {
    return [];
  }
  async histories(tenantId: TenantId, editIds: string[]): Promise<EditEvent[]> {
    return (await Promise.all(editIds.map((id) => this.history(tenantId, id)))).flat();
  }
  async lockEdit(_tx: Tx, tenantId: TenantId, id: string): Promise<Edit | null> {
    const edit = await this.findEdit(tenantId, id);
    if (edit) this.locked.push(edit.id);
    return edit ? { ...edit } : null;
  }
  async create(_tx: Tx, edit: NewEdit): Promise<Edit> {
    const now = new Date();
    const row: Edit = {
      ...edit,
      status: 'SUBMITTED',
      temporalCaption: null,
      captionProvenance: null,
      progressStep: 0,
      framesReady: 0,
      selectedCandidate: null,
      selectedFrameIndex: null,
      selectionPolicy: null,
      selectionReason: null,
      metricsReady: false,
      failureCode: null,
      failureReason: null,
      originalCandidate: null,
      originalFrameIndex: null,
      originalPolicy: null,
      originalReason: null,
      chosenBy: null,
      chosenAt: null,
      createdAt: now,
      updatedAt: now,
      completedAt: null,
      losslessPrunedAt: null,
    };
    this.edits.push(row);
    return { ...row };
  }
  async update(_tx: Tx, tenantId: TenantId, id: string, changes: EditChanges): Promise<Edit> {
    const at = this.edits.findIndex((e) => e.tenantId === tenantId && e.id === id);
    if (at < 0) throw new Error(`no edit ${id} of ${tenantId}`);
    this.edits[at] = { ...this.edits[at], ...changes, updatedAt: new Date() };
    return { ...this.edits[at] };
  }
  async countUnfinished(tenantId: TenantId): Promise<number> {
    return this.edits.filter((e) => e.tenantId === tenantId && !UNFINISHED_EXCLUDES.has(e.status)).length;
  }
  async lockTenantAndCountUnfinished(_tx: Tx, tenantId: TenantId): Promise<number | null> {
    return this.tenants.has(tenantId) ? this.countUnfinished(tenantId) : null;
  }
  async withLosslessCopies(completedBefore: Date, limit: number) {
    return this.edits
      .filter(
        (e) =>
          e.losslessPrunedAt === null &&
          e.completedAt !== null &&
          (e.status !== 'COMPLETED' || e.completedAt < completedBefore),
      )
      .sort((a, b) => a.completedAt!.getTime() - b.completedAt!.getTime())
      .slice(0, limit)
      .map((e) => ({ tenantId: e.tenantId as TenantId, id: e.id }));
  }
  async markLosslessPruned(tenantId: TenantId, id: string, at: Date): Promise<void> {
    const edit = await this.findEdit(tenantId, id);
    if (edit) edit.losslessPrunedAt = at;
  }
}

/** The outbox's enqueue, keeping what was published. */
export class InMemoryOutbox {
  events: EventEnvelope<Topic>[] = [];
  async enqueue(_tx: Tx, ...events: EventEnvelope<Topic>[]): Promise<void> {
    this.events.push(...events);
  }
}

/** Uploads in an array, with the Prisma repository's methods. */
export class InMemoryUploadsRepository implements Pick<UploadsRepository, keyof UploadsRepository> {
  uploads: Upload[] = [];
  tenants = new Set<string>();

  async createUnderCap(
    tenantId: TenantId,
    upload: { id: string; purpose: UploadPurpose; contentType: string; maxBytes: number; expiresAt: Date },
    max: number,
    now: Date,
  ): Promise<{ created: Upload } | { open: number } | null> {
    if (!this.tenants.has(tenantId)) return null;
    const open = this.uploads.filter(
      (u) => u.tenantId === tenantId && u.status !== 'used' && u.expiresAt.getTime() > now.getTime(),
    ).length;
    if (open >= max) return { open };
    const row: Upload = {
      ...upload,
      tenantId,
      status: 'pending',
      blobKey: null,
      bytes: null,
      sha256: null,
      width: null,
      height: null,
      uploadedAt: null,
      usedAt: null,
      usedByEditId: null,
      createdAt: now,
    };
    this.uploads.push(row);
    return { created: row };
  }
  async find(tenantId: TenantId, id: string): Promise<Upload | null> {
    return this.uploads.find((u) => u.tenantId === tenantId && u.id === id) ?? null;
  }
  async markUploaded(tenantId: TenantId, id: string, stored: StoredUpload, now: Date): Promise<boolean> {
    const u = await this.find(tenantId, id);
    if (!u || u.status !== 'pending' || u.expiresAt.getTime() <= now.getTime()) return false;
    Object.assign(u, stored, { status: 'uploaded', uploadedAt: now });
    return true;
  }
  async consume(_tx: Tx, tenantId: TenantId, id: string, editId: string, now: Date): Promise<boolean> {
    const u = await this.find(tenantId, id);
    if (!u || u.status !== 'uploaded' || u.expiresAt.getTime() <= now.getTime()) return false;
    Object.assign(u, { status: 'used', usedAt: now, usedByEditId: editId });
    return true;
  }
  async expiredUnused(before: Date, limit: number): Promise<Upload[]> {
    return this.uploads
      .filter((u) => u.status !== 'used' && u.expiresAt.getTime() < before.getTime())
      .sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime())
      .slice(0, limit);
  }
  async deleteExpired(tenantId: TenantId, id: string, now: Date): Promise<boolean> {
    const at = this.uploads.findIndex(
      (u) =>
        u.tenantId === tenantId &&
        u.id === id &&
        u.status !== 'used' &&
        u.expiresAt.getTime() < now.getTime(),
    );
    if (at < 0) return false;
    this.uploads.splice(at, 1);
    return true;
  }
}
