/** What was tried to make the gateway faster, with the A/B figures (see the part's section). */
export const FINDINGS = `What helped / what did not: (measured A/B, see below)`;
