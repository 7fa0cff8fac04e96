import { configParts, loadConfig } from '@f2f/common';
import { imageInspectionConfigShape } from '@f2f/imaging';
import { platformConfigShape, signedUrlConfigShape, tenantContextSecretConfig } from '@f2f/platform';
import { z } from 'zod';

/** Shared with the tenant CLI, which creates keys too. */
export const maxApiKeysPerTenantConfig = z.coerce.number().int().min(1).max(100_000).default(100);

export const editsConfigSchema = z.object({
  ...platformConfigShape,
  /** Signs upload URLs (createUpload) and download URLs (Frame.url, Edit.sourceUrl, ...), and verifies both. */
  ...signedUrlConfigShape,
  /** How long an upload URL, and the upload it makes, stay valid (createEdit must come before). */
  UPLOAD_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(10)
    .max(7 * 24 * 3600)
    .default(900),
  /** How often uploads that expired unused are removed with their images (0: never). */
  UPLOAD_SWEEP_INTERVAL_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(24 * 3600)
    .default(300),
  /**
   * How long a completed edit keeps every frame's lossless copy (frames stored lossy), so that a frame
   * a user re-chooses meanwhile is a lossless result; then only the result's and the platform's
   * choice's stay. 0: deleted when the edit completes. A failed or cancelled edit's go at once.
   */
  LOSSLESS_COPIES_KEPT_HOURS: z.coerce
    .number()
    .min(0)
    .max(30 * 24)
    .default(24),
  /** How often completed edits past LOSSLESS_COPIES_KEPT_HOURS lose their other lossless copies (0: never). */
  LOSSLESS_SWEEP_INTERVAL_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(24 * 3600)
    .default(300),
  /** Verifies the tenant context the gateway signs, and the gateway's calls to resolve API keys. */
  TENANT_CONTEXT_SECRET: tenantContextSecretConfig,
  /** Unfinished (not completed, failed or cancelled) edits a tenant may have at once; createEdit refuses more. */
  MAX_UNFINISHED_EDITS_PER_TENANT: z.coerce.number().int().min(1).max(100_000).default(20),
  /** Unrevoked API keys a tenant may have; createApiKey refuses more (TOO_MANY_API_KEYS). */
  MAX_API_KEYS_PER_TENANT: maxApiKeysPerTenantConfig,
  /** Open (unused, unexpired) uploads a tenant may have; createUpload refuses more (TOO_MANY_UPLOADS). */
  MAX_OPEN_UPLOADS_PER_TENANT: z.coerce.number().int().min(1).max(100_000).default(100),
  /**
   * The longest an analytics query may run in Postgres (statement_timeout): a costly range cannot
   * keep a core busy after the client gave up; past it, analytics answers SERVICE_UNAVAILABLE.
   */
  ANALYTICS_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  PORT: configParts.port(4101),
  /** The ffmpeg that encodes path videos (Edit.pathVideoUrl; Debian's ffmpeg package). */
  FFMPEG_PATH: z.string().min(1).default('ffmpeg'),
  MAX_IMAGE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(100 * 1024 * 1024)
    .default(10 * 1024 * 1024),
  MAX_IMAGE_PIXELS: z.coerce.number().int().min(1024).max(200_000_000).default(25_000_000),
  /** The threads, time limit and heap of the image inspection (libs/imaging ImageInspector). */
  ...imageInspectionConfigShape,
  MAX_CAPTION_LENGTH: z.coerce.number().int().min(16).max(2000).default(500),
  /**
   * The video model of an edit that names none: the model the deployment's GPU pool serves
   * ("preview" where the pool is the CPU preview generator).
   */
  DEFAULT_MODEL: z.string().min(1).max(100).default('cogvideox-5b-i2v'),
  /**
   * The video models the GPU pool serves, comma-separated (each a name the pool's workers accept in
   * GenerateRequest.model: their model id, generator name or an alias). createEdit refuses any
   * other options.model with BAD_USER_INPUT. Default: DEFAULT_MODEL alone.
   */
  SERVED_MODELS: z
    .string()
    .optional()
    .transform((s) =>
      (s ?? '')
        .split(',')
        .map((m) => m.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z
          .string()
          .max(100)
          .regex(/^[\x21-\x7e]+$/, 'a model name is visible ASCII'),
      ),
    ),
  /**
   * Largest request body; the same as the gateway's, so that an image over MAX_IMAGE_BYTES that the
   * gateway lets through reaches the resolver and gets IMAGE_TOO_LARGE rather than HTTP 413.
   */
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(16 * 1024 * 1024),
});
export type EditsConfig = z.infer<typeof editsConfigSchema>;

/** The configuration, with SERVED_MODELS filled in (DEFAULT_MODEL alone) and holding DEFAULT_MODEL. */
const checkedEditsConfigSchema = editsConfigSchema
  .transform((c) => ({ ...c, SERVED_MODELS: c.SERVED_MODELS.length ? c.SERVED_MODELS : [c.DEFAULT_MODEL] }))
  .refine((c) => c.SERVED_MODELS.includes(c.DEFAULT_MODEL), {
    message: 'DEFAULT_MODEL must be one of SERVED_MODELS',
    path: ['SERVED_MODELS'],
  });

export const loadEditsConfig = (env = process.env): EditsConfig =>
  loadConfig('edits', checkedEditsConfigSchema, env);
