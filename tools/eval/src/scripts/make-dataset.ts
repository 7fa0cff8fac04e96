// Writes the project's own small evaluation dataset (tools/eval/dataset): four synthetic 256×256
// scenes drawn as SVG and rendered by sharp, two of them with a ground-truth target image (the
// PosEdit form), so that both table forms and the mixed case are exercised. Deterministic: running
// it again writes the same files.
//
//   npm run build -w @f2f/eval && npm run make-dataset -w @f2f/eval [-- <out dir>]
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import sharp from 'sharp';

const SIZE = 256;

const svg = (body: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}">${body}</svg>`;

const ballScene = (ballY: number) =>
  svg(`<rect width="256" height="256" fill="#8ecae6"/>
    <rect y="190" width="256" height="66" fill="#52b788"/>
    <ellipse cx="128" cy="196" rx="${ballY > 150 ? 26 : 14}" ry="5" fill="#2d6a4f"/>
    <circle cx="128" cy="${ballY}" r="24" fill="#d62828"/>
    <circle cx="120" cy="${ballY - 8}" r="6" fill="#f28482"/>`);

const sunScene = (sunY: number, sky: string, sea: string) =>
  svg(`<rect width="256" height="256" fill="${sky}"/>
    <circle cx="128" cy="${sunY}" r="30" fill="#ffb703"/>
    <rect y="160" width="256" height="96" fill="${sea}"/>
    <rect x="60" y="176" width="136" height="4" fill="#ffffff" opacity="0.5"/>`);

const house = svg(`<rect width="256" height="256" fill="#1d3557"/>
  <circle cx="206" cy="46" r="16" fill="#f1faee"/>
  <rect y="200" width="256" height="56" fill="#2b2d42"/>
  <polygon points="64,120 128,64 192,120" fill="#6d2e46"/>
  <rect x="76" y="120" width="104" height="80" fill="#a26769"/>
  <rect x="90" y="136" width="24" height="24" fill="#2b2d42"/>
  <rect x="142" y="136" width="24" height="24" fill="#2b2d42"/>
  <rect x="118" y="166" width="20" height="34" fill="#3d405b"/>`);

const tree = svg(`<rect width="256" height="256" fill="#caf0f8"/>
  <rect y="210" width="256" height="46" fill="#74c69d"/>
  <rect x="118" y="140" width="20" height="76" fill="#6f4518"/>
  <circle cx="128" cy="112" r="56" fill="#2d6a4f"/>
  <circle cx="96" cy="132" r="30" fill="#40916c"/>
  <circle cx="162" cy="130" r="32" fill="#40916c"/>`);

interface Entry {
  id: string;
  targetCaption: string;
  source: string;
  groundTruth?: string;
}

const SCENES: { entry: Entry; images: Record<string, string> }[] = [
  {
    entry: {
      id: 'ball-bounce',
      targetCaption: 'A photo of a red ball bouncing high above the grass.',
      source: 'images/ball-bounce.png',
      groundTruth: 'ground-truth/ball-bounce.png',
    },
    images: { 'images/ball-bounce.png': ballScene(166), 'ground-truth/ball-bounce.png': ballScene(70) },
  },
  {
    entry: {
      id: 'sunset',
      targetCaption: 'A photo of the sun setting over the sea.',
      source: 'images/sunset.png',
      groundTruth: 'ground-truth/sunset.png',
    },
    images: {
      'images/sunset.png': sunScene(60, '#90e0ef', '#0077b6'),
      'ground-truth/sunset.png': sunScene(156, '#f4a261', '#264653'),
    },
  },
  {
    entry: {
      id: 'house-lights',
      targetCaption: 'A photo of a house at night with its windows lit.',
      source: 'images/house-lights.png',
    },
    images: { 'images/house-lights.png': house },
  },
  {
    entry: {
      id: 'tree-autumn',
      targetCaption: 'A photo of a tree with orange autumn leaves.',
      source: 'images/tree-autumn.png',
    },
    images: { 'images/tree-autumn.png': tree },
  },
];

async function makeDataset(outDir: string): Promise<void> {
  for (const { images } of SCENES)
    for (const [rel, body] of Object.entries(images)) {
      const file = path.join(outDir, rel);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(
        file,
        await sharp(Buffer.from(body)).png({ palette: true, compressionLevel: 9 }).toBuffer(),
      );
    }
  await writeFile(
    path.join(outDir, 'dataset.json'),
    JSON.stringify(
      SCENES.map((s) => s.entry),
      null,
      2,
    ) + '\n',
  );
  console.log(`wrote ${SCENES.length} items to ${outDir}`);
}

makeDataset(path.resolve(process.argv[2] ?? path.join(__dirname, '..', '..', 'dataset'))).catch(
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
