#!/usr/bin/env node
// `npm run bench [-- <part> … | --quick | --help]`: see USAGE and BENCHMARKS.md.
import { main } from './main';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('bench: unexpected error', error);
    process.exit(3);
  },
);
