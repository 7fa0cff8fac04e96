import type { TenantId } from '@f2f/database';
import type { Edit, EditEvent, Frame, Tx } from '../database';

import type { EditCursor, EditListFilter, FeedRow } from './edit-queries.sql';

/** What createEdit records of a new edit; the rest starts at its defaults. */
export type NewEdit = Pick<
  Edit,
  | 'id'
  | 'tenantId'
  | 'idempotencyKey'
  | 'requestHash'
  | 'targetCaption'
  | 'sourceKey'
  | 'sourceWidth'
  | 'sourceHeight'
  | 'sourceBytes'
  | 'sourceSha256'
  | 'sourceMime'
  | 'groundTruthKey'
  | 'model'
  | 'frameCount'
  | 'steps'
  | 'guidance'
  | 'fps'
  | 'seed'
  | 'candidates'
  | 'captionMode'
  | 'selection'
  | 'outputWidth'
  | 'outputHeight'
  | 'progressTotal'
  | 'historySeq'
  | 'traceId'
>;

/** What a use case may change of an edit. */
export type EditChanges = Partial<Omit<Edit, 'id' | 'tenantId' | 'createdAt' | 'updatedAt'>>;

/** The tenant's edits, their frames and history; every method takes the tenant first. */
export interface EditsRepository {
  findEdit(tenantId: TenantId, id: string): Promise<Edit | null>;
  findByIdempotencyKey(tenantId: TenantId, idempotencyKey: string): Promise<Edit | null>;
  /**
   * Serialises the tenant's requests with this idempotency key until the transaction ends and
   * returns the edit recorded with it, if any.
   */
  lockIdempotencyKey(tx: Tx, tenantId: TenantId, idempotencyKey: string): Promise<Edit | null>;
  listEdits(
    tenantId: TenantId,
    filter: EditListFilter,
    after: EditCursor | null,
    limit: number,
  ): Promise<Edit[]>;
  countEdits(tenantId: TenantId, filter: EditListFilter): Promise<number>;
  frames(tenantId: TenantId, editId: string, candidate?: number): Promise<Frame[]>;
  frame(tenantId: TenantId, id: string): Promise<Frame | null>;
  frameAt(tenantId: TenantId, editId: string, candidate: number, index: number): Promise<Frame | null>;
  frameOfEdit(tx: Tx, tenantId: TenantId, editId: string, frameId: string): Promise<Frame | null>;
  history(tenantId: TenantId, editId: string): Promise<EditEvent[]>;
  feedAfter(tenantId: TenantId, after: { recordedAt: Date; id: bigint }, limit: number): Promise<FeedRow[]>;
  histories(tenantId: TenantId, editIds: string[]): Promise<EditEvent[]>;
  /** Locks the edit's row for the rest of the transaction and returns it. */
  lockEdit(tx: Tx, tenantId: TenantId, id: string): Promise<Edit | null>;
  create(tx: Tx, edit: NewEdit): Promise<Edit>;
  update(tx: Tx, tenantId: TenantId, id: string, changes: EditChanges): Promise<Edit>;
  /** The tenant's unfinished edits (not completed, failed or cancelled). */
  countUnfinished(tenantId: TenantId): Promise<number>;
  /** Locks the tenant's row for the rest of the transaction and counts; null without such a tenant. */
  lockTenantAndCountUnfinished(tx: Tx, tenantId: TenantId): Promise<number | null>;
  /**
   * Every tenant's final edits whose lossless copies are not pruned yet (LosslessFrames), oldest
   * first: failed and cancelled ones, and completed ones that completed before `completedBefore`.
   */
  withLosslessCopies(completedBefore: Date, limit: number): Promise<{ tenantId: TenantId; id: string }[]>;
  /** Records that the edit's lossless copies were pruned. */
  markLosslessPruned(tenantId: TenantId, id: string, at: Date): Promise<void>;
}
export const EDITS_REPOSITORY = Symbol('EditsRepository');
