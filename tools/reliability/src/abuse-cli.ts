#!/usr/bin/env node
// `npm run abuse [-- --ci --only substring]`: see ABUSE_USAGE and RELIABILITY.md.
import { main } from './abuse/main';

main(process.argv.slice(2)).then(
  (code) => {
    process.exit(code);
  },
  (error: unknown) => {
    console.error('abuse: unexpected error', error);
    process.exit(3);
  },
);
