import { cropToSource, prepareSource } from '@f2f/imaging';
import sharp from 'sharp';

/** A deterministic pseudo-random sequence in [0, 1) (mulberry32). */
export function randomSequence(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A photograph's statistics without a photograph: colour noise at three scales (large shapes,
 * texture, detail) blended, plus sensor grain. It compresses like a photo (PNG at 2–3 bytes per
 * pixel), unlike the flat gradients of the test fixtures.
 */
export async function photoLike(width: number, height: number, seed: number): Promise<Buffer> {
  const next = randomSequence(seed);
  const layers: { pixels: Buffer; weight: number }[] = [];
  for (const [scale, weight] of [
    [128, 0.45],
    [32, 0.35],
    [8, 0.2],
  ]) {
    const w = Math.ceil(width / scale) + 1;
    const h = Math.ceil(height / scale) + 1;
    const noise = Buffer.from(Array.from({ length: w * h * 3 }, () => Math.floor(next() * 256)));
    const pixels = await sharp(noise, { raw: { width: w, height: h, channels: 3 } })
      .resize(width, height, { kernel: 'cubic' })
      .raw()
      .toBuffer();
    layers.push({ pixels, weight });
  }
  const out = Buffer.alloc(width * height * 3);
  for (let i = 0; i < out.length; i++) {
    const blended = layers.reduce((sum, l) => sum + l.pixels[i] * l.weight, 0);
    out[i] = Math.max(0, Math.min(255, Math.round(blended + (next() - 0.5) * 8)));
  }
  return sharp(out, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/** One frame of a path: as generated (720×480) and as the platform keeps it at each output size. */
export interface PathFrame {
  index: number;
  raw: Buffer;
  /** Cropped back to the source's region, one per output size asked for, in that order. */
  edited: Buffer[];
}

/**
 * The preview generator's path (services/preview-generator/src/render.ts: a slow zoom with a drift
 * of hue and brightness from the letterboxed source), here with a fixed end point, and each frame
 * cropped back to the source's region at each output size as video-generation does. Lossless PNG.
 */
export async function previewPath(
  source: Buffer,
  frameCount: number,
  outputs: readonly { width: number; height: number }[],
): Promise<PathFrame[]> {
  const { png: base, box } = await prepareSource(source);
  const { width, height } = (await sharp(base).metadata()) as { width: number; height: number };
  const frames: PathFrame[] = [];
  for (let index = 0; index < frameCount; index++) {
    const t = index / Math.max(1, frameCount - 1);
    const s = t * t * (3 - 2 * t);
    const zw = Math.round(width * (1 + 0.15 * s));
    const zh = Math.round(height * (1 + 0.15 * s));
    const raw = await sharp(base)
      .modulate({ hue: Math.round(40 * s), brightness: 1 + 0.1 * s })
      .resize(zw, zh)
      .extract({ left: Math.floor((zw - width) / 2), top: Math.floor((zh - height) / 2), width, height })
      .png()
      .toBuffer();
    const edited = await Promise.all(outputs.map((o) => cropToSource(raw, box, o.width, o.height)));
    frames.push({ index, raw, edited });
  }
  return frames;
}

const COLUMNS = 4;
const TILE_WIDTH = 256;
const GAP = 8;

/**
 * A collage with frame-selection's geometry (the source on top at two tiles' size, then every
 * fourth frame, 4 columns of 256-pixel tiles), without the number badges: what one candidate's
 * selection stores.
 */
export async function collageOf(source: Buffer, frames: Buffer[]): Promise<Buffer> {
  const first = (await sharp(frames[0]).metadata()) as { width: number; height: number };
  const tileHeight = Math.round((TILE_WIDTH * first.height) / first.width);
  const rows = Math.ceil(frames.length / COLUMNS);
  const width = COLUMNS * TILE_WIDTH + (COLUMNS + 1) * GAP;
  const top = GAP * 2 + 2 * tileHeight;
  const height = top + rows * tileHeight + (rows + 1) * GAP;
  const sourceTile = await sharp(source)
    .resize(2 * TILE_WIDTH, 2 * tileHeight, { fit: 'contain', background: '#000' })
    .png()
    .toBuffer();
  const tiles = await Promise.all(
    frames.map(async (frame, i) => ({
      input: await sharp(frame)
        .resize(TILE_WIDTH, tileHeight, { fit: 'contain', background: '#000' })
        .png()
        .toBuffer(),
      left: GAP + (i % COLUMNS) * (TILE_WIDTH + GAP),
      top: top + GAP + Math.floor(i / COLUMNS) * (tileHeight + GAP),
    })),
  );
  return sharp({ create: { width, height, channels: 3, background: '#808080' } })
    .composite([{ input: sourceTile, left: Math.round((width - 2 * TILE_WIDTH) / 2), top: GAP }, ...tiles])
    .png()
    .toBuffer();
}
