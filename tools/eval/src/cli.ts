#!/usr/bin/env node
// `npm run eval -- --dataset <dir> ...` (see USAGE in options.ts and the README's "Evaluation").
import { main } from './main';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error('eval: unexpected error', error);
    process.exitCode = 3;
  },
);
