import { randomInt, randomUUID } from 'node:crypto';

import { type Clock, DomainError, ErrorCode, systemClock } from '@f2f/common';
import { type EventEnvelope, makeEnvelope, Topic, traceIdOf } from '@f2f/contracts';
import type { TenantId } from '@f2f/database';
import type { Edit, Upload } from '../database';
import { ImageInspector } from '@f2f/imaging';
import { OutboxWriter } from '@f2f/messaging';
import { BLOB_STORE, CLOCK } from '@f2f/platform';
import { blobKeys, type BlobStore } from '@f2f/storage';
import { Inject, Injectable } from '@nestjs/common';

import { EDIT_HISTORY, type EditHistory } from '../history/edit-history';
import { EDITS_REPOSITORY, type EditsRepository } from '../persistence/edits';
import { type Transactions, TRANSACTIONS } from '../persistence/transactions';
import { type UploadPurpose, UploadsRepository } from '../uploads/uploads.repository';
import { type CreateEditCommand, type ImageInput, sha256 } from './create-edit.command';

/** An image of the request, once its upload (if any) is found: its digest is known, its bytes maybe not yet. */
type ResolvedImage =
  { kind: 'bytes'; data: Buffer; sha256: string } | { kind: 'upload'; upload: Upload; sha256: string };

export const EDIT_LIMITS = Symbol('EditLimits');
export interface EditLimits {
  maxImageBytes: number;
  maxImagePixels: number;
  maxCaptionLength: number;
  defaultModel: string;
  /** The models the GPU pool serves (SERVED_MODELS); createEdit refuses others. */
  servedModels: readonly string[];
  /** Unfinished edits a tenant may have at once (MAX_UNFINISHED_EDITS_PER_TENANT). */
  maxUnfinishedEdits: number;
}

export const randomSeed = (): number => randomInt(0, 2 ** 31 - 1);

/**
 * Checks the image, stores it, and records the edit, its first history entry and its
 * edit.requested event in one transaction. Nothing is published for a request that fails a check.
 *
 * With an idempotency key, a repeat of the request returns the first edit. The unique index
 * (tenant_id, idempotency_key) decides between concurrent repeats: the loser's transaction fails
 * on it, writes nothing, removes the blobs it stored, and answers with the winner's edit.
 */
@Injectable()
export class CreateEditUseCase {
  constructor(
    @Inject(TRANSACTIONS) private readonly transactions: Transactions,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    @Inject(EDIT_LIMITS) private readonly limits: EditLimits,
    @Inject(OutboxWriter) private readonly outbox: Pick<OutboxWriter, 'enqueue'>,
    @Inject(EDITS_REPOSITORY) private readonly edits: EditsRepository,
    @Inject(EDIT_HISTORY) private readonly history: EditHistory,
    private readonly uploads: UploadsRepository,
    private readonly inspector: ImageInspector,
    @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  private tooMany(count: number): DomainError {
    return new DomainError(
      ErrorCode.TooManyEdits,
      `the tenant has ${count} unfinished edits, as many as allowed (${this.limits.maxUnfinishedEdits}); wait for one to finish or cancel one`,
      { limit: this.limits.maxUnfinishedEdits },
    );
  }

  async execute(command: CreateEditCommand): Promise<Edit> {
    const image = await this.resolve(command.tenantId, command.image, 'sourceUploadId');
    const groundTruth = command.groundTruth
      ? await this.resolve(command.tenantId, command.groundTruth, 'groundTruthUploadId')
      : null;
    const requestHash = command.requestHash(image.sha256, groundTruth?.sha256 ?? null);
    if (command.idempotencyKey !== null) {
      // Before the uploads are checked: a repeat names the uploads its first request used up.
      const earlier = await this.edits.findByIdempotencyKey(command.tenantId, command.idempotencyKey);
      if (earlier) return this.repeated(command, requestHash, earlier);
    }
    try {
      return await this.create(command, requestHash, image, groundTruth);
    } catch (err) {
      if (command.idempotencyKey === null || !isUniqueViolation(err)) throw err;
      const winner = await this.edits.findByIdempotencyKey(command.tenantId, command.idempotencyKey);
      if (!winner) throw err;
      return this.repeated(command, requestHash, winner);
    }
  }

  /**
   * Finds the tenant's upload an image names (another tenant's, an unknown or a malformed id is
   * NOT_FOUND, all alike); its digest comes from the row. Base64 bytes are digested here.
   */
  private async resolve(tenantId: TenantId, input: ImageInput, field: string): Promise<ResolvedImage> {
    if (input.kind === 'bytes') return { ...input, sha256: sha256(input.data) };
    const upload = await this.uploads.find(tenantId, input.uploadId);
    if (!upload) throw new DomainError(ErrorCode.NotFound, `${field}: there is no upload ${input.uploadId}`);
    if (upload.status === 'pending' || !upload.sha256) {
      throw new DomainError(
        ErrorCode.NotFound,
        `${field}: upload ${upload.id} holds no image yet (PUT the image to its URL first)`,
        { uploadId: upload.id, reason: 'not-uploaded' },
      );
    }
    return { kind: 'upload', upload, sha256: upload.sha256 };
  }

  /** Whether an upload can be used now: uploaded, unused, unexpired, for this purpose. */
  private checkUsable(image: ResolvedImage, purpose: UploadPurpose, field: string): void {
    if (image.kind !== 'upload') return;
    const { upload } = image;
    if (upload.status === 'used')
      throw new DomainError(ErrorCode.NotFound, `${field}: upload ${upload.id} was already used by an edit`, {
        uploadId: upload.id,
        reason: 'used',
      });
    if (upload.expiresAt.getTime() <= this.clock.now().getTime())
      throw new DomainError(ErrorCode.NotFound, `${field}: upload ${upload.id} has expired`, {
        uploadId: upload.id,
        reason: 'expired',
      });
    if (upload.purpose !== purpose)
      throw new DomainError(
        ErrorCode.InvalidInput,
        `${field}: upload ${upload.id} was made for the ${upload.purpose} image, not the ${purpose}`,
      );
  }

  /** The bytes of an image: an upload's are read back from the blob store. */
  private async bytesOf(image: ResolvedImage, field: string): Promise<Buffer> {
    if (image.kind === 'bytes') return image.data;
    try {
      return await this.blobs.get(image.upload.blobKey as string);
    } catch {
      throw new DomainError(ErrorCode.NotFound, `${field}: the image of upload ${image.upload.id} is gone`, {
        uploadId: image.upload.id,
        reason: 'missing',
      });
    }
  }

  /** The edit a repeated request gets: the first one, when the request is the same. */
  private repeated(command: CreateEditCommand, requestHash: string, earlier: Edit): Edit {
    if (earlier.requestHash !== requestHash) {
      throw new DomainError(
        ErrorCode.Conflict,
        `idempotency key ${JSON.stringify(command.idempotencyKey)} was already used by edit ${earlier.id} with another request (image, caption or options differ)`,
        { editId: earlier.id },
      );
    }
    return earlier;
  }

  private async create(
    command: CreateEditCommand,
    requestHash: string,
    source: ResolvedImage,
    groundTruthImage: ResolvedImage | null,
  ): Promise<Edit> {
    this.checkUsable(source, 'source', 'sourceUploadId');
    if (groundTruthImage) this.checkUsable(groundTruthImage, 'ground-truth', 'groundTruthUploadId');
    // A cheap early refusal, before the image is stored; the count that decides is in the transaction.
    const unfinished = await this.edits.countUnfinished(command.tenantId);
    if (unfinished >= this.limits.maxUnfinishedEdits) throw this.tooMany(unfinished);
    const image = await this.bytesOf(source, 'sourceUploadId');
    const groundTruthBytes = groundTruthImage
      ? await this.bytesOf(groundTruthImage, 'groundTruthUploadId')
      : null;
    const imageLimits = {
      maxBytes: this.limits.maxImageBytes,
      maxPixels: this.limits.maxImagePixels,
      minSide: 16,
    };
    const info = await this.inspector.inspect(image, imageLimits);
    const groundTruthInfo = groundTruthBytes
      ? await this.inspector.inspect(groundTruthBytes, imageLimits, 'the ground-truth image')
      : null;
    const editId = randomUUID();
    const ext = info.format === 'jpeg' ? 'jpg' : info.format;
    const stored = await this.blobs.put(blobKeys.source(command.tenantId, editId, ext), image, info.mime);
    const groundTruth =
      groundTruthBytes && groundTruthInfo
        ? await this.blobs.put(
            blobKeys.groundTruth(
              command.tenantId,
              editId,
              groundTruthInfo.format === 'jpeg' ? 'jpg' : groundTruthInfo.format,
            ),
            groundTruthBytes,
            groundTruthInfo.mime,
          )
        : null;
    const { options } = command;
    const requested: EventEnvelope<Topic.EditRequested> = makeEnvelope({
      type: Topic.EditRequested,
      editId,
      tenantId: command.tenantId,
      payload: {
        targetCaption: command.targetCaption,
        sourceKey: stored.key,
        sourceWidth: info.width,
        sourceHeight: info.height,
        groundTruthKey: groundTruth?.key ?? null,
        options,
      },
    });
    const storedKeys = [stored.key, ...(groundTruth ? [groundTruth.key] : [])];
    const uploads = [source, groundTruthImage].flatMap((i, n) =>
      i?.kind === 'upload'
        ? [{ upload: i.upload, field: n === 0 ? 'sourceUploadId' : 'groundTruthUploadId' }]
        : [],
    );
    try {
      const { edit, created } = await this.record(command, requestHash, editId, requested, uploads, {
        sourceKey: stored.key,
        sourceBytes: stored.bytes,
        sourceSha256: stored.sha256,
        info,
        groundTruthKey: groundTruth?.key ?? null,
      });
      if (!created) {
        await this.removeBlobs(storedKeys);
        return this.repeated(command, requestHash, edit);
      }
      // The edit has its own copies now; the uploaded objects are no longer needed.
      await this.removeBlobs(uploads.map((u) => u.upload.blobKey as string));
      return edit;
    } catch (err) {
      // Nothing refers to the blobs of an edit that was not recorded.
      await this.removeBlobs(storedKeys);
      throw err;
    }
  }

  private async removeBlobs(keys: string[]): Promise<void> {
    await Promise.all(keys.map((key) => this.blobs.delete(key).catch(() => undefined)));
  }

  private record(
    command: CreateEditCommand,
    requestHash: string,
    editId: string,
    requested: EventEnvelope<Topic.EditRequested>,
    uploads: { upload: Upload; field: string }[],
    source: {
      sourceKey: string;
      sourceBytes: number;
      sourceSha256: string;
      info: { width: number; height: number; mime: string };
      groundTruthKey: string | null;
    },
  ): Promise<{ edit: Edit; created: boolean }> {
    const { options } = command;
    const { info } = source;
    return this.transactions.run(async (tx) => {
      if (command.idempotencyKey !== null) {
        const earlier = await this.edits.lockIdempotencyKey(tx, command.tenantId, command.idempotencyKey);
        if (earlier) return { edit: earlier, created: false };
      }
      const count = await this.edits.lockTenantAndCountUnfinished(tx, command.tenantId);
      if (count === null) throw new DomainError(ErrorCode.NotFound, `there is no tenant ${command.tenantId}`);
      if (count >= this.limits.maxUnfinishedEdits) throw this.tooMany(count);
      const now = this.clock.now();
      for (const { upload, field } of uploads) {
        // Single use: of two edits racing for one upload, one gets it; the other's transaction rolls back.
        if (!(await this.uploads.consume(tx, command.tenantId, upload.id, editId, now)))
          throw new DomainError(
            ErrorCode.NotFound,
            `${field}: upload ${upload.id} was already used or has expired`,
            {
              uploadId: upload.id,
              reason: 'used',
            },
          );
      }
      const edit = await this.edits.create(tx, {
        id: editId,
        tenantId: command.tenantId,
        idempotencyKey: command.idempotencyKey,
        requestHash,
        targetCaption: command.targetCaption,
        sourceKey: source.sourceKey,
        sourceWidth: info.width,
        sourceHeight: info.height,
        sourceBytes: source.sourceBytes,
        sourceSha256: source.sourceSha256,
        sourceMime: info.mime,
        groundTruthKey: source.groundTruthKey,
        model: options.model,
        frameCount: options.frames,
        steps: options.steps,
        guidance: options.guidance,
        fps: options.fps,
        seed: options.seed,
        candidates: options.candidates,
        captionMode: options.captionMode,
        selection: options.selection,
        outputWidth: options.outputWidth,
        outputHeight: options.outputHeight,
        progressTotal: options.steps,
        historySeq: 1,
        // The trace the request and every event of the edit belong to (queryable as Edit.traceId).
        traceId: traceIdOf(requested.trace),
      });
      await this.outbox.enqueue(tx, requested);
      // The history's first entry, announced on the live feed like every later one.
      await this.history.append(
        tx,
        { id: editId, tenantId: command.tenantId },
        {
          seq: 1,
          type: requested.type,
          key: requested.type,
          payload: requested.payload,
          occurredAt: new Date(requested.occurredAt),
          eventId: requested.eventId,
        },
        { status: { before: null, after: 'SUBMITTED' }, cause: Topic.EditRequested, causeEvent: requested },
      );
      return { edit, created: true };
    });
  }
}

/** A unique index refused the row (Prisma's P2002, or Postgres' 23505 through the driver adapter). */
function isUniqueViolation(err: unknown): boolean {
  const e = err as {
    code?: unknown;
    cause?: { code?: unknown };
    meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } };
  };
  return (
    e?.code === 'P2002' ||
    e?.cause?.code === '23505' ||
    e?.meta?.driverAdapterError?.cause?.originalCode === '23505'
  );
}
