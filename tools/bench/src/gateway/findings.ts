/**
 * What was tried to make the gateway faster, with the A/B figures: measured 2026-12-04 on a 2-core
 * machine shared with three other engineers' builds and tests (load average 15–21), each variant
 * run as its own gateway process beside Hive Gateway on the same platform, interleaved (A B C, C B
 * A, …), 50 connections, 8 s runs. req/s swung 2–3× from run to run with the other load; the
 * gateway's CPU time per answer (from /proc) is the steadier figure.
 */
export const FINDINGS = `**Where the time goes.** A \`node --cpu-prof\` profile of our gateway under the edit-page load
(\`--cpu-prof\` is refused in \`NODE_OPTIONS\` on Node 20, so the bench's servers.ts starts the
gateway itself with the flag in its arguments; for the launcher's processes \`NODE_OPTIONS=--require\`
of a preload that drives \`node:inspector\` would do): make-fetch-happen, the default fetcher of
\`RemoteGraphQLDataSource\`, ~17% inclusive (its retry wrapper, \`@npmcli/agent\` lookups, agent-base's
\`isSecureEndpoint\` building a stack trace per request, minipass streams); the query planner's
result assembly (\`applySelectionSet\`, \`updateOutputValue\`) ~5% self; HMAC signing of the tenant
context ~1.3%; response JSON ~1.3%; GC 5.5%. The query-plan and document caches worked (planning
was not in the profile after the warm-up); the depth/cost rules run once per distinct document
(Apollo's validation cache) and did not show up; the API-key lookup is cached (AUTH_CACHE_TTL_MS).

**The subgraphs bound the edit page.** One edit page (49 frames) takes 10–25 ms in each subgraph
alone, but under 50 clients all services share the two cores: ours and Hive served the same
req/s within the noise, and both gateways took a small share of the CPU.

| change | figure | before → after |
|---|---|---|
| metrics subgraph: \`Frame.metrics\` batched per tick with DataLoader (one \`frame_metrics\` query per tenant instead of one per frame) | queries for one edit page | 49 → 1 (≈ 10 ms per \`_entities\` call of 49 frames afterwards; not A/B-timed: the old build was not kept) |
| tenant context signed once per request instead of once per subgraph call | HMAC per edit page | 3 → 1 (≈ 1% of CPU in the profile; not separable in A/B) |
| subgraph fetcher: node-fetch on keep-alive agents instead of make-fetch-happen | CPU ms/answer, history page (2 runs) | 4.48 → 3.28, 5.29 → 4.15 (Hive 3.16, 4.77) |
| same | CPU ms/answer, edit page (2 runs) | 18.5 → 22.4, 28.0 → 24.5 (Hive 23.3, 33.8): no clear effect |
| **did not help**: Node's own fetch (undici) as the fetcher | CPU ms/answer, history / edit page (2 runs) | 6.92 → 7.51 and 16.4 → 18.1; 4.48 → 4.06 and 18.5 → 16.9: within the noise; dropped for node-fetch |

Across these runs ours took less CPU per edit page than Hive Gateway (16–28 vs 23–34 ms) and
about the same per history page; req/s ÷ Hive ranged 0.6–1.6× run to run on the loaded machine.
Left: the edit page's subgraph work (the edits subgraph resolves \`resultUrl\`, \`selection\` and
\`selectedFrame\` with a query each; the history page resolves \`resultUrl\` per edit, 20 queries —
a DataLoader over \`frameAt\` would make it one), and a run on an idle machine for the final ratios.`;
