export const UPLOAD_SETTINGS = Symbol('UploadSettings');

/** The limits of uploads (the same as createEdit's for base64 images) and their lifetime. */
export interface UploadSettings {
  /** UPLOAD_TTL_SECONDS: how long an upload URL, and the upload it makes, stay valid. */
  ttlSeconds: number;
  /** MAX_IMAGE_BYTES: no upload URL accepts more. */
  maxImageBytes: number;
  /** MAX_IMAGE_PIXELS: checked from the image's header, before it is decoded. */
  maxImagePixels: number;
  /** SIGNED_URL_SECRET: verifies upload and download tokens. */
  secret: string;
  /** UPLOAD_SWEEP_INTERVAL_SECONDS: how often expired, unused uploads are removed (0: never). */
  sweepIntervalSeconds: number;
  /** MAX_OPEN_UPLOADS_PER_TENANT: unused, unexpired uploads a tenant may have; createUpload refuses more. */
  maxOpenUploadsPerTenant: number;
}
