/**
 * What was looked at to bring the overhead down, and what the runs during development showed. They
 * ran on a 2-core machine shared with three other engineers' builds and tests (load average 25–28):
 * the absolute figures are noise, the shape of the breakdown is what they are good for.
 */
export const OVERHEAD_FINDINGS = `What helped / what did not (development runs, \`--quick\`: 17 frames, 10 steps × 100 ms, VLM 300 ms,
on the shared 2-core machine at a load average of about 28 — absolute times are several times an idle
machine's, so these say where the time goes, not what an idle machine would show):

| finding | run 1 (load ≈ 28) | run 2 (lighter load) |
|---|---|---|
| platform ÷ bare, median / p95 of 2 edits | 4.52× / 5.12× | 1.55× / 1.66× |
| platform − bare, median | 13.5 s | 1.5 s (1.016× over a real 90 s video) |
| delivery between stages (outbox → Kafka → consumer), per hop | 200–400 ms | 30–55 ms |
| generation handler vs bare (frames stored as blobs, each in video.progress) | 6.7 s vs 2.4 s | 2.26 s vs 1.80 s |
| metrics handler vs bare | 9.0 s vs 1.5 s | 1.56 s vs 0.75 s |
| selection handler vs bare | 4.8 s vs 1.5 s | 0.92 s vs 0.96 s |

Between the two runs only the machine's load changed: the figures are dominated by the other
engineers' work on the same two cores. Small negative cells come from medians of different quantities
(a span's median minus a handler's mean) and are within that noise. In both, the platform's added
time is mostly inside the handlers (metrics and generation), not in delivery.

- **Outbox polling vs NOTIFY**: already NOTIFY. OutboxWriter.enqueue runs \`pg_notify\` in the
  writer's transaction and the relay LISTENs and wakes on commit; the 250 ms poll is only the fallback
  when the LISTEN connection is lost. Shortening the poll would only add load: not changed.
- **Consumer \`maxWaitTimeInMs\`**: kafkajs fetches with minBytes 1, so the broker answers as soon as a
  message is there; maxWaitTimeInMs (5 s) only bounds an empty fetch. The measured delivery (30–400 ms
  per hop, by load) is dominated by the relay's transaction, the consumer's inbox check and the CPU
  queue, not the fetch wait: not changed (no A/B run: nothing to expect from it).
- **Metrics on frames as they land (video.progress)** and **selection when the last frame lands**:
  not done in this change. The breakdown says where they would pay: metrics (1.6–9.0 s after
  video.generated, vs 0.75–1.5 s of the same work bare) would overlap with the generator's frame decode and
  storage; selection would save one hop (0.03–0.4 s). Doing it needs the metrics service to keep
  per-edit state across video.progress events (the reference embeddings, the rows measured so far,
  redelivery and cancellation), which is left for a follow-up with its own A/B.
- **What stands in the way of 1.03× here**: ten service processes (gateway, edits, captioning,
  video-generation, two preview generators, metrics, frame selection, webhooks, Kafka, Postgres) share
  two cores with everything else, while the bare script is one process; the per-frame work the
  platform does on top of the bare script (blob writes and reads, 49 progress events and their history
  rows, the frames' metrics rows) is CPU time on those same two cores. The full run (20 edits, 50 steps
  × 200 ms) on an idle machine is what decides the target.
- **Temporary lossless PNG copies at zlib level 0** (\`png({ compressionLevel: 0, adaptiveFiltering:
  false })\` for the copy metrics and selection read): tried, not kept. Alone it is cheaper: on a
  photographic 720×480 frame (tools/bench/src/frames/content.ts's \`photoLike\`, one libvips thread)
  encode 30–35 → 3–4 ms of CPU, decode 8–9 → 3 ms, 0.94 → 1.04 MB (level 1: 16–17 ms, 1.08 MB; level 2:
  23–25 ms). On the quick overhead run, interleaved A/B on the shared machine (load average 18–27), the
  platform's added time did not drop: before 1751, 1721, 1597, 1417 ms (median 1659 ms), after 1846,
  1820, 1778 ms (median 1820 ms); generation's handler − bare 1047, 892, 968, 782 ms before vs 949, 561,
  1049 ms after; metrics' handler − bare 423, 602, 466, 382 ms before vs 552, 896, 604 ms after. The
  saving (≈ 0.5 s of CPU per 17-frame edit) is below this machine's noise, and metrics looked slower with
  the larger files (the preview generator's smooth frames deflate far better than photographs, so the
  copies grow much more than 10 % there). Left out; worth an A/B on an idle machine with real frames.
- **WebP effort** (measured, not changed): each frame is encoded to WebP twice (the raw frame and the
  edited one). At q85 on the same photographic frame: effort 4 (the default) 40 ms of CPU and 33.4 KB,
  effort 2 19 ms and 34.6 KB (+3.6 %), effort 1 13.5 ms and 37.4 KB, effort 0 10.8 ms and 38.1 KB — all
  ≤ 0.041× PNG's bytes. Effort 2 would halve the encode CPU (≈ 0.7 s per quick edit, ≈ 2 s per 49-frame
  edit); not changed because the frames part's choice rule picks the fewest bytes, so it has to add
  WebP q85 effort 2 to its candidates and weigh encode time, with its SSIM check, first.
- **Frames stored one after another** (not changed): video-generation awaits each frame's crop, two
  WebP encodes, three blob writes and its progress event inside the generator stream's \`for await\`;
  gRPC buffers the frames meanwhile, so the storage of the last frames runs after the generator is
  done. A bounded pipeline (2 frames in flight, progress announced in order) would overlap it with the
  generator's frame decoding: left for a follow-up with its own A/B.`;
