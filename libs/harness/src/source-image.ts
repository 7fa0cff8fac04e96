import sharp from 'sharp';

/** The statuses an edit does not leave. */
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

/** A source image with some structure (a gradient and a disc), as PNG: what the tools' edits start from. */
export function sourceImage(width = 64, height = 48): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g"><stop offset="0" stop-color="#1f6feb"/><stop offset="1" stop-color="#f2cc60"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/>
    <circle cx="${width * 0.35}" cy="${height * 0.55}" r="${height * 0.25}" fill="#8b3a2b"/>
  </svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}
