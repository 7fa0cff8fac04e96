import sharp from 'sharp';

/** A source photo with some structure (a gradient, a disc, a bar) at the given size, as PNG. */
export function sourcePhoto(width: number, height: number): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g"><stop offset="0" stop-color="#1f6feb"/><stop offset="1" stop-color="#f2cc60"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/>
    <circle cx="${width * 0.35}" cy="${height * 0.55}" r="${height * 0.25}" fill="#8b3a2b"/>
    <rect x="${width * 0.6}" y="${height * 0.2}" width="${width * 0.25}" height="${height * 0.1}" fill="#2d6a4f"/>
  </svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}
