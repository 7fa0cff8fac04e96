export interface StoredBlob {
  key: string;
  bytes: number;
  sha256: string;
}

/**
 * Where images live (sources, frames, collages, results). Postgres keeps keys, sizes and digests.
 * The filesystem implementation is the default; an S3-compatible one implements the same interface.
 */
export interface BlobStore {
  put(key: string, data: Buffer, contentType: string): Promise<StoredBlob>;
  get(key: string): Promise<Buffer>;
  exists(key: string): Promise<boolean>;
  delete(key: string): Promise<void>;
}

/** Keys are relative, slash-separated paths of safe characters; never absolute, never `..`. */
export function assertValidKey(key: string): void {
  if (
    key.length === 0 ||
    key.length > 1024 ||
    !/^[a-zA-Z0-9._\-/]+$/.test(key) ||
    key.startsWith('/') ||
    key.split('/').some((part) => part === '' || part === '.' || part === '..')
  ) {
    throw new Error(`invalid blob key: ${JSON.stringify(key)}`);
  }
}

export const blobKeys = {
  source: (tenantId: string, editId: string, ext: string) =>
    `tenants/${tenantId}/edits/${editId}/source.${ext}`,
  /** A ground-truth target image (the PosEdit protocol). */
  groundTruth: (tenantId: string, editId: string, ext: string) =>
    `tenants/${tenantId}/edits/${editId}/ground-truth.${ext}`,
  /** An image a client uploaded with a signed URL (one key per attempt; createEdit copies it to the edit). */
  upload: (tenantId: string, uploadId: string, attempt: string, ext: string) =>
    `tenants/${tenantId}/uploads/${uploadId}/${attempt}.${ext}`,
  /** The edited frame (cropped back to the source's region, at the output size), in the storage format. */
  frame: (tenantId: string, editId: string, candidate: number, index: number, ext = 'png') =>
    `tenants/${tenantId}/edits/${editId}/candidates/${candidate}/frames/${String(index).padStart(3, '0')}.${ext}`,
  /** The frame as generated (720×480 for CogVideoX), in the storage format. */
  rawFrame: (tenantId: string, editId: string, candidate: number, index: number, ext = 'png') =>
    `tenants/${tenantId}/edits/${editId}/candidates/${candidate}/raw/${String(index).padStart(3, '0')}.${ext}`,
  /**
   * The edited frame's lossless copy (PNG) when frames are stored lossy: what metrics score and
   * selection shows; the edits service keeps the selected frame's as the result and deletes the others.
   */
  losslessFrame: (tenantId: string, editId: string, candidate: number, index: number) =>
    `tenants/${tenantId}/edits/${editId}/candidates/${candidate}/lossless/${String(index).padStart(3, '0')}.png`,
  /**
   * A frame a user chose after its lossless copy was deleted, as a PNG decoded from the stored
   * (lossy) frame: the result's download stays a PNG whichever frame is chosen.
   */
  resultFrame: (tenantId: string, editId: string, candidate: number, index: number) =>
    `tenants/${tenantId}/edits/${editId}/candidates/${candidate}/result/${String(index).padStart(3, '0')}.png`,
};
