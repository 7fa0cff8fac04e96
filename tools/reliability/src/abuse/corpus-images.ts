import sharp from 'sharp';

import { type AbuseCase, imageCases } from './case';
import {
  flatImage,
  flipByte,
  type HostileImage,
  jpegHeaderBomb,
  smallImage,
  webpCanvasBomb,
  webpLosslessHeaderBomb,
  webpLossyHeaderBomb,
  withBadCrc,
  zeroPng,
  zipWith,
} from './images';

const png = (name: string, bytes: Buffer): HostileImage => ({ name, bytes, contentType: 'image/png' });
const jpeg = (name: string, bytes: Buffer): HostileImage => ({ name, bytes, contentType: 'image/jpeg' });
const webp = (name: string, bytes: Buffer): HostileImage => ({ name, bytes, contentType: 'image/webp' });

/** Decompression bombs: headers that claim huge sizes, and real images that inflate ~1000:1. */
async function bombs(): Promise<HostileImage[]> {
  return [
    png('png-header-50000x50000', zeroPng(50_000, 50_000, { rows: 1 })),
    png('png-header-65535x65535-rgba', zeroPng(65_535, 65_535, { colorType: 6, rows: 1 })),
    png('png-header-2^31-1-wide', zeroPng(2 ** 31 - 1, 1, { bitDepth: 1, colorType: 0, rows: 0 })),
    png('png-header-1x2^31-1', zeroPng(1, 2 ** 31 - 1, { rows: 1 })),
    png('png-real-6300x6300-rgb', zeroPng(6300, 6300)),
    png('png-real-30000x30000-1bit', zeroPng(30_000, 30_000, { bitDepth: 1, colorType: 0 })),
    jpeg('jpeg-header-65500x65500', await jpegHeaderBomb(65_500, 65_500)),
    jpeg('jpeg-header-1x65500', await jpegHeaderBomb(1, 65_500)),
    jpeg('jpeg-real-6000x6000', await flatImage(6000, 6000, 'jpeg')),
    webp('webp-vp8l-header-16384x16384', await webpLosslessHeaderBomb(16_384, 16_384)),
    webp('webp-vp8-header-16383x16383', await webpLossyHeaderBomb(16_383, 16_383)),
    webp('webp-vp8x-canvas-16777216x16777216', await webpCanvasBomb(2 ** 24, 2 ** 24)),
    webp('webp-real-6000x6000', await flatImage(6000, 6000, 'webp')),
  ];
}

const PASSWD = 'file:///etc/passwd';
const svgDoc = (body: string, prolog = '') =>
  `<?xml version="1.0"?>${prolog}<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xi="http://www.w3.org/2001/XInclude" width="64" height="64">${body}</svg>`;

function billionLaughs(): string {
  const entities = ['<!ENTITY l0 "lol">'];
  for (let i = 1; i <= 10; i++) entities.push(`<!ENTITY l${i} "${`&l${i - 1};`.repeat(10)}">`);
  return svgDoc('<text y="20">&l10;</text>', `<!DOCTYPE svg [${entities.join('')}]>`);
}

/** SVG and XML tricks: entity expansion, external entities, XInclude, external references. */
function svgs(gatewayOrigin: string): HostileImage[] {
  const texts: [string, string][] = [
    ['svg-billion-laughs', billionLaughs()],
    [
      'svg-external-entity',
      svgDoc('<text y="20">&x;</text>', `<!DOCTYPE svg [<!ENTITY x SYSTEM "${PASSWD}">]>`),
    ],
    ['svg-parameter-entity', svgDoc('', `<!DOCTYPE svg [<!ENTITY % p SYSTEM "${PASSWD}"> %p;]>`)],
    ['svg-xinclude', svgDoc(`<text y="20"><xi:include href="${PASSWD}" parse="text"/></text>`)],
    ['svg-image-file-href', svgDoc(`<image href="${PASSWD}" width="64" height="64"/>`)],
    ['svg-image-ssrf', svgDoc(`<image xlink:href="${gatewayOrigin}/health" width="64" height="64"/>`)],
    [
      'svg-huge-canvas',
      svgDoc('<rect width="100%" height="100%"/>').replace(
        'width="64" height="64"',
        'width="200000" height="200000"',
      ),
    ],
    ['svg-deep-groups', svgDoc(`${'<g>'.repeat(20_000)}${'</g>'.repeat(20_000)}`)],
  ];
  return texts.flatMap(([name, text]) => [
    png(name, Buffer.from(text)),
    png(
      `${name}-behind-png-magic`,
      Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(text)]),
    ),
  ]);
}

/** Files that are two things at once, and formats the platform does not take. */
async function polyglots(): Promise<HostileImage[]> {
  const realPng = await smallImage().png().toBuffer();
  const realJpeg = await smallImage().jpeg().toBuffer();
  const gif = await smallImage().gif().toBuffer();
  const tiff = await smallImage().tiff().toBuffer();
  const html = '<html><body><script>alert(document.domain)</script></body></html>';
  return [
    png('png+zip', Buffer.concat([realPng, zipWith('payload.sh', '#!/bin/sh\necho pwned\n')])),
    jpeg('jpeg+html', Buffer.concat([realJpeg, Buffer.from(html)])),
    png('html-behind-png-magic', Buffer.concat([realPng.subarray(0, 8), Buffer.from(html)])),
    png('gif-as-png', gif),
    png('gif-with-svg-comment', Buffer.concat([gif, Buffer.from(svgDoc('<rect width="9" height="9"/>'))])),
    png('tiff-as-png', tiff),
    jpeg('tiff-as-jpeg', tiff),
    png(
      'pdf-behind-png-magic',
      Buffer.concat([realPng.subarray(0, 8), Buffer.from('%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF')]),
    ),
    webp(
      'riff-wav-as-webp',
      Buffer.concat([Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt ', 'latin1'), Buffer.alloc(28)]),
    ),
    png(
      'png-with-text-chunk-script',
      Buffer.concat([
        realPng.subarray(0, 33),
        Buffer.from([0, 0, 0, 0x20]),
        Buffer.from('tEXt'),
        Buffer.from('Comment\0<script>alert(1)</scr'),
        Buffer.alloc(4),
        realPng.subarray(33),
      ]),
    ),
  ];
}

/** Truncated and corrupt images of each format. */
async function corrupt(): Promise<HostileImage[]> {
  const realPng = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#336699' } })
    .png()
    .toBuffer();
  const realJpeg = await smallImage(64, 48).jpeg().toBuffer();
  const realWebp = await smallImage(64, 48).webp().toBuffer();
  const cuts = (bytes: Buffer, at: number[]) => at.map((n) => (n < 0 ? bytes.length + n : n));
  return [
    ...cuts(realPng, [0, 8, 16, 33, 41, Math.floor(realPng.length / 2), -12, -1]).map((n) =>
      png(`png-cut-at-${n}`, realPng.subarray(0, n)),
    ),
    png('png-bad-ihdr-crc', withBadCrc(realPng, 'IHDR')),
    png('png-bad-idat-crc', withBadCrc(realPng, 'IDAT')),
    png('png-corrupt-zlib', flipByte(flipByte(realPng, 45), 50)),
    png('png-bit-depth-3', flipByte(realPng, 24)),
    png('png-no-idat', Buffer.concat([realPng.subarray(0, 33), realPng.subarray(-12)])),
    ...cuts(realJpeg, [2, 20, Math.floor(realJpeg.length / 2), -2]).map((n) =>
      jpeg(`jpeg-cut-at-${n}`, realJpeg.subarray(0, n)),
    ),
    jpeg(
      'jpeg-garbage-scan',
      Buffer.concat([
        realJpeg.subarray(0, realJpeg.length - 60),
        Buffer.alloc(58, 0xff),
        realJpeg.subarray(-2),
      ]),
    ),
    jpeg('jpeg-soi-only', Buffer.from([0xff, 0xd8, 0xff, 0xd9])),
    ...cuts(realWebp, [12, 20, 30, Math.floor(realWebp.length / 2)]).map((n) =>
      webp(`webp-cut-at-${n}`, realWebp.subarray(0, n)),
    ),
    webp(
      'webp-riff-size-4gib',
      (() => {
        const copy = Buffer.from(realWebp);
        copy.writeUInt32LE(0xfffffff0, 4);
        return copy;
      })(),
    ),
    png('random-bytes-64k', Buffer.from(Array.from({ length: 65_536 }, (_, i) => (i * 2654435761) >>> 24))),
  ];
}

export async function imageCorpus(gatewayOrigin: string): Promise<AbuseCase[]> {
  return [
    ...imageCases('bomb', await bombs()),
    ...imageCases('svg', svgs(gatewayOrigin)),
    ...imageCases('polyglot', await polyglots()),
    ...imageCases('corrupt', await corrupt()),
  ];
}
