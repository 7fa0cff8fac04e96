/**
 * What was looked at to bring the overhead down, and what the runs during development showed. They
 * ran on a 2-core machine shared with three other engineers' builds and tests (load average 25–28):
 * the absolute figures are noise, the shape of the breakdown is what they are good for.
 */
export const OVERHEAD_FINDINGS = `What helped / what did not (development runs, \`--quick\`: 17 frames, 10 steps × 100 ms, VLM 300 ms,
on the shared 2-core machine at a load average of about 28 — absolute times are several times an idle
machine's, so these say where the time goes, not what an idle machine would show):

| finding | figures (median of 2 edits) |
|---|---|
| Delivery between stages (outbox → Kafka → consumer) is small | 200–400 ms per hop, 4 hops in series ≈ 1 s of the 13.5 s the platform added |
| The platform's time goes into the handlers, not between them | generation handler 6.7 s vs 2.4 s bare (each frame stored as a blob and announced in video.progress, which the edits service records); metrics 9.0 s vs 1.5 s; selection 4.8 s vs 1.5 s |
| platform ÷ bare | 4.5× median, 5.1× p95 — the target does not hold on this machine |

- **Outbox polling vs NOTIFY**: already NOTIFY. OutboxWriter.enqueue runs \`pg_notify\` in the
  writer's transaction and the relay LISTENs and wakes on commit; the 250 ms poll is only the fallback
  when the LISTEN connection is lost. Shortening the poll would only add load: not changed.
- **Consumer \`maxWaitTimeInMs\`**: kafkajs fetches with minBytes 1, so the broker answers as soon as a
  message is there; maxWaitTimeInMs (5 s) only bounds an empty fetch. The measured delivery (200–400 ms
  per hop, under load) is dominated by the relay's transaction, the consumer's inbox check and the CPU
  queue, not the fetch wait: not changed (no A/B run: nothing to expect from it).
- **Metrics on frames as they land (video.progress)** and **selection when the last frame lands**:
  not done in this change. The breakdown says where they would pay: metrics (9.0 s after
  video.generated, vs 1.5 s of the same work bare) would overlap with the generator's frame decode and
  storage; selection would save one hop (≈ 0.2–0.4 s). Doing it needs the metrics service to keep
  per-edit state across video.progress events (the reference embeddings, the rows measured so far,
  redelivery and cancellation), which is left for a follow-up with its own A/B.
- **What stands in the way of 1.03× here**: ten service processes (gateway, edits, captioning,
  video-generation, two preview generators, metrics, frame selection, webhooks, Kafka, Postgres) share
  two cores with everything else, while the bare script is one process; the per-frame work the
  platform does on top of the bare script (blob writes and reads, 49 progress events and their history
  rows, the frames' metrics rows) is CPU time on those same two cores. The full run (20 edits, 50 steps
  × 200 ms) on an idle machine is what decides the target.`;
