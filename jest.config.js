// Three tiers (CONVENTIONS 11):
//   unit         *.spec.ts beside the code, adapters swapped, no infrastructure
//   integration  *.int-spec.ts on a real Postgres and a real Kafka broker (one database per file)
//   e2e          test/e2e: every service as its own process, driven through the gateway
// `npm test` (scripts/test.js) starts the infrastructure, builds, and runs all three.
const preset = require('./jest.preset');

const roots = ['<rootDir>/libs', '<rootDir>/services', '<rootDir>/tools'];
// @f2f/eval lives in tools/, not libs/ (the preset's mapping); the first matching pattern wins.
preset.moduleNameMapper = { '^@f2f/eval$': '<rootDir>/tools/eval/src', ...preset.moduleNameMapper };

module.exports = {
  projects: [
    {
      ...preset,
      displayName: 'unit',
      roots: [...roots, '<rootDir>/k8s', '<rootDir>/scripts'],
      testMatch: [
        '**/src/**/*.spec.ts',
        '**/bench/**/*.spec.ts',
        '**/k8s/__tests__/*.spec.ts',
        '**/scripts/__tests__/*.spec.ts',
      ],
    },
    {
      ...preset,
      displayName: 'integration',
      // test/integration: shared libraries tested against a real service's schema.
      roots: [...roots, '<rootDir>/test/integration'],
      testMatch: ['**/src/**/*.int-spec.ts', '**/test/integration/*.int-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      ...preset,
      displayName: 'e2e',
      roots: ['<rootDir>/test/e2e'],
      testMatch: ['**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
  testTimeout: 60_000,
};
