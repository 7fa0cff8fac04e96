#!/usr/bin/env node
// `npm run chaos [-- --faults a,b --edits N --ci]`: see CHAOS_USAGE and RELIABILITY.md.
import { main } from './chaos/main';

main(process.argv.slice(2)).then(
  (code) => {
    process.exit(code);
  },
  (error: unknown) => {
    console.error('chaos: unexpected error', error);
    process.exit(3);
  },
);
