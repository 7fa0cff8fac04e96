import sharp from 'sharp';

/** Paper 3.3 and C.1: every fourth frame, 12 of them from a 49-frame video, numbered 1..12. */
export const COLLAGE_STEP = 4;
export const COLLAGE_SIZE = 12;
const COLUMNS = 4;
const TILE_WIDTH = 256;
const GAP = 8;

/** The frame indices shown in the collage, in their order (number n shows the n-th of them). */
export function collageFrameIndices(frameCount: number): number[] {
  const indices: number[] = [];
  for (let i = COLLAGE_STEP; i < frameCount && indices.length < COLLAGE_SIZE; i += COLLAGE_STEP)
    indices.push(i);
  return indices;
}

// Seven-segment digits drawn as rectangles: no font is needed, so the numbers look the same on every machine.
const SEGMENTS: Record<string, string> = {
  '0': 'abcdef',
  '1': 'bc',
  '2': 'abged',
  '3': 'abgcd',
  '4': 'fgbc',
  '5': 'afgcd',
  '6': 'afgedc',
  '7': 'abc',
  '8': 'abcdefg',
  '9': 'abcdfg',
};

function digitRects(digit: string, x: number, y: number, w: number, h: number, t: number): string {
  const half = h / 2;
  const rects: Record<string, [number, number, number, number]> = {
    a: [x, y, w, t],
    b: [x + w - t, y, t, half],
    c: [x + w - t, y + half, t, half],
    d: [x, y + h - t, w, t],
    e: [x, y + half, t, half],
    f: [x, y, t, half],
    g: [x, y + half - t / 2, w, t],
  };
  return [...SEGMENTS[digit]]
    .map((s) => rects[s])
    .map(([rx, ry, rw, rh]) => `<rect x="${rx}" y="${ry}" width="${rw}" height="${rh}" fill="#fff"/>`)
    .join('');
}

/** A number in white on a black badge, as an SVG overlay. */
function numberBadge(n: number): Buffer {
  const digits = String(n);
  const w = 18;
  const h = 30;
  const t = 5;
  const pad = 6;
  const width = pad * 2 + digits.length * w + (digits.length - 1) * 5;
  const height = pad * 2 + h;
  const body = [...digits].map((d, i) => digitRects(d, pad + i * (w + 5), pad, w, h, t)).join('');
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#000"/>${body}</svg>`,
  );
}

/**
 * The collage of appendix C.1: the source photo at the top, the sampled frames beneath it in a
 * grid (4 columns), each imprinted with its number 1..12 in the top-left corner. Returns PNG.
 */
export async function buildCollage(source: Buffer, frames: Buffer[]): Promise<Buffer> {
  if (frames.length === 0 || frames.length > COLLAGE_SIZE)
    throw new Error(`a collage holds 1..${COLLAGE_SIZE} frames`);
  const first = await sharp(frames[0]).metadata();
  const tileHeight = Math.round((TILE_WIDTH * (first.height ?? 1)) / (first.width ?? 1));
  const rows = Math.ceil(frames.length / COLUMNS);
  const width = COLUMNS * TILE_WIDTH + (COLUMNS + 1) * GAP;
  const sourceWidth = 2 * TILE_WIDTH;
  const sourceTile = await sharp(source)
    .resize(sourceWidth, 2 * tileHeight, { fit: 'contain', background: '#000' })
    .png()
    .toBuffer();
  const top = GAP * 2 + 2 * tileHeight;
  const height = top + rows * tileHeight + (rows + 1) * GAP;
  const tiles = await Promise.all(
    frames.map(async (frame, i) => {
      const tile = await sharp(frame)
        .resize(TILE_WIDTH, tileHeight, { fit: 'contain', background: '#000' })
        .composite([{ input: numberBadge(i + 1), left: 4, top: 4 }])
        .png()
        .toBuffer();
      return {
        input: tile,
        left: GAP + (i % COLUMNS) * (TILE_WIDTH + GAP),
        top: top + GAP + Math.floor(i / COLUMNS) * (tileHeight + GAP),
      };
    }),
  );
  return sharp({ create: { width, height, channels: 3, background: '#808080' } })
    .composite([{ input: sourceTile, left: Math.round((width - sourceWidth) / 2), top: GAP }, ...tiles])
    .png()
    .toBuffer();
}
