import { decodeRgba } from '@f2f/imaging';
import { makeImage } from '../../../../test/support/factories';
import { renderPath } from '../render';

it('measure', async () => {
  for (const [w, h, seed, prompt, n] of [[320, 240, 42, 'A dog sits down.', 49], [480, 480, 7, 'The cat jumps.', 49], [320, 240, 1, 'x', 9], [640, 200, 3, 'y', 49]] as const) {
    const image = await makeImage(w, h);
    const raws = [];
    for await (const f of renderPath({ image, prompt, seed, numFrames: n, width: 720, height: 480 })) raws.push(await decodeRgba(f.png));
    const diff = (a: Buffer, b: Buffer) => { let s = 0, c = 0; for (let i = 0; i < a.length; i += 4) for (let k = 0; k < 3; k++) { s += Math.abs(a[i + k] - b[i + k]); c++; } return s / c; };
    const steps = raws.slice(1).map((r, i) => diff(raws[i].data, r.data));
    const mean = steps.reduce((a, b) => a + b) / steps.length;
    console.log(w, h, n, 'steps', steps.map((s) => s.toFixed(2)).join(' '), 'mean', mean.toFixed(2), 'max', Math.max(...steps).toFixed(2), 'first-last', diff(raws[0].data, raws[n - 1].data).toFixed(2));
  }
});
