/**
 * What was looked at to bring the overhead down: A/B runs of the full plan on an idle 2-core machine,
 * and what the development runs on a shared one showed (noted where they come from).
 */
export const OVERHEAD_FINDINGS = `What helped / what did not. **A/B on the full plan** (20 pairs each, one after the other on the same
idle 2-core machine, \`npm run bench -- overhead [--set …]\`; the "before" row is the run of the
code before these changes):

| change | platform ÷ bare, median / p95 | platform − bare | generation: handler − bare | metrics after video.generated (span) |
|---|---|---|---|---|
| before: WebP effort 4, frames stored one at a time, metrics after video.generated | 1.233× / 1.294× | 2236 ms | 1531 ms | 2164 ms |
| WebP effort 2 and 2 frames in flight (**kept**: the defaults) | 1.152× / 1.238× | 1502 ms | 809 ms | 2056 ms |
| … and metrics on frames as they land (\`--set metrics.MEASURE_FRAMES_AS_THEY_LAND=true\`) | 1.205× / 1.287× | 1980 ms | 1939 ms | 370 ms |

- **WebP effort 2 instead of libwebp's default 4** (kept; FRAME_EFFORT): every frame is encoded twice
  (raw and edited), 40 → 19 ms of CPU per encode on a photographic 720×480 frame for ~4 % more bytes
  (still ≈ 0.04× PNG: the frames part's table). **Frames stored 2 at a time** (kept;
  FRAMES_IN_FLIGHT): video-generation awaited each frame's crop, encodes, blob writes and progress
  event inside the generator stream's loop, so the last frames were stored after the generator was
  done; now two are in flight and recorded in order. Together they took the generation stage's
  overhead from 1531 to 809 ms and the whole edit's from 2236 to 1502 ms.
- **Metrics on frames as they land** (built, off by default, on in k8s): metrics learns the
  references from caption.completed and measures each video.progress's frames while the rest are
  generated, so after video.generated only 370 ms are left instead of about 2 s — but on two shared
  cores that work competes with the generator's frames and their storage, and generation took 870 ms
  longer: 480 ms worse in all. Where metrics has CPUs of its own (its k8s pods) nothing competes and the
  ~2 s (about 5 s with the real networks: services/metrics/BENCHMARKS.md) come off the edit's time, so
  k8s/base/metrics.yaml turns it on; that is reasoned, not measured here (one machine).
- **Selection when the last frame lands**: not done; the video.generated hop it would save measures
  29–156 ms (the "delivery" column), within the noise of these runs.
- **Outbox polling vs NOTIFY**: already NOTIFY. OutboxWriter.enqueue runs \`pg_notify\` in the
  writer's transaction and the relay LISTENs and wakes on commit; the 250 ms poll is only the fallback
  when the LISTEN connection is lost: not changed.
- **Consumer \`maxWaitTimeInMs\`**: kafkajs fetches with minBytes 1, so the broker answers as soon as a
  message is there; maxWaitTimeInMs (5 s) only bounds an empty fetch. Delivery between stages measures
  20–190 ms per hop on the idle machine: not changed.
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
- **What stands in the way of 1.03× on this machine**: the bare edit is 9.6 s, 6 s of which is the
  generator's sleep, so 1.03× leaves 290 ms for everything the platform does on top: ten service
  processes, Kafka and Postgres on the same two cores as the generator, and per frame a crop, two WebP
  encodes, a lossless PNG, three blob writes and its progress event (generation: +0.8 s), then reading
  the 49 lossless copies back, 49 rows and metrics.computed in one transaction (metrics: +0.8 s over the
  same measuring in the bare script). None of it grows with the GPU's time: over a real 90 s video the
  same added time is the last row of the table above (1.016–1.021×).`;
