import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { z } from 'zod';

export const MANIFEST_VERSION = 1;

const shape = z.array(
  z
    .number()
    .int()
    .refine((n) => n === -1 || n > 0, 'dimension must be -1 or positive'),
);
const io = z.record(z.string(), shape);
const model = z.object({
  file: z.string().min(1),
  weights: z.string().min(1),
  inputs: io,
  outputs: io,
});

export const manifestSchema = z.object({
  manifestVersion: z.literal(MANIFEST_VERSION),
  id: z.string().min(1),
  kind: z.enum(['tiny', 'full']),
  weights: z.enum(['random', 'trained']),
  note: z.string(),
  models: z.object({
    lpipsFeatures: model.extend({
      preprocessing: z.object({
        resize: z.tuple([z.number().int().positive(), z.number().int().positive()]),
        interpolation: z.literal('bilinear'),
        range: z.tuple([z.literal(-1), z.literal(1)]),
      }),
    }),
    lpipsDistance: model,
    clipImage: model.extend({
      preprocessing: z.object({
        resizeShortest: z.literal(224),
        interpolation: z.literal('bicubic'),
        centerCrop: z.literal(224),
        mean: z.array(z.number()).length(3),
        std: z.array(z.number()).length(3),
      }),
    }),
    clipText: model,
    /** Optional (exporter flag --clip-image-int8): clipImage with its MatMuls quantised to int8. */
    clipImageInt8: model
      .extend({
        quantization: z.object({
          of: z.literal('clipImage'),
          method: z.string().min(1),
          ops: z.array(z.string()).min(1),
          weights: z.string().min(1),
          activations: z.string().min(1),
        }),
      })
      .optional(),
  }),
  tokenizer: z.object({
    vocab: z.string().min(1),
    contextLength: z.number().int().positive(),
    sot: z.literal(49406),
    eot: z.literal(49407),
  }),
  digests: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/)),
});
export type MetricModelsManifest = z.infer<typeof manifestSchema>;

export class ModelDirError extends Error {
  constructor(modelDir: string, problem: string) {
    super(`metric models directory ${modelDir}: ${problem}`);
    this.name = 'ModelDirError';
  }
}

/** Reads and checks manifest.json: schema, every file present, digests matching (unless skipped). */
export function readManifest(modelDir: string, verifyDigests = true): MetricModelsManifest {
  const file = path.join(modelDir, 'manifest.json');
  if (!existsSync(modelDir)) throw new ModelDirError(modelDir, 'does not exist');
  if (!existsSync(file))
    throw new ModelDirError(modelDir, 'has no manifest.json (export one with tools/metric-models)');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ModelDirError(modelDir, `manifest.json is not JSON (${(err as Error).message})`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ModelDirError(modelDir, `invalid manifest.json: ${issues}`);
  }
  const m = parsed.data;
  const files = [...Object.values(m.models).flatMap((x) => (x ? [x.file] : [])), m.tokenizer.vocab];
  for (const f of files) {
    const p = path.join(modelDir, f);
    if (!existsSync(p)) throw new ModelDirError(modelDir, `missing ${f} (named in manifest.json)`);
    const expected = m.digests[f];
    if (!expected) throw new ModelDirError(modelDir, `manifest.json has no digest for ${f}`);
    if (verifyDigests) {
      const actual = createHash('sha256').update(readFileSync(p)).digest('hex');
      if (actual !== expected) {
        throw new ModelDirError(
          modelDir,
          `${f} does not match its digest (sha256 ${actual}, manifest ${expected})`,
        );
      }
    }
  }
  return m;
}
