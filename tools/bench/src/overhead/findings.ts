/** What was tried to bring the overhead down, measured A/B (see the part's markdown). */
export const OVERHEAD_FINDINGS = `What helped / what did not: see below (filled from the A/B runs).`;
