// Shared Jest settings: TypeScript through ts-jest (transpile only; `npm run typecheck` checks
// types), workspace aliases resolved to sources so that unit tests need no build.
const path = require('node:path');

const root = __dirname;

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(root, 'tsconfig.spec.json') }],
  },
  moduleNameMapper: {
    '^@f2f/([a-z-]+)$': `${root}/libs/$1/src`,
    // The generated Prisma client imports its own files with .js extensions.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
};
