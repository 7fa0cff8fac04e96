// Lint: zero warnings allowed (npm run lint).
//
// Module boundaries come from the Nx project graph and the tags in each package.json (`nx.tags`):
// @nx/enforce-module-boundaries refuses a service importing another service (they talk over Kafka,
// gRPC and GraphQL only), a lib importing a service or tool, and any relative import that crosses
// a project's folder. It replaces the per-folder no-restricted-imports lists this file had: those
// knew only the names listed in them, the graph knows every project.
//
// Data ownership: only repositories (`*.repository.ts`) touch the database (see DATABASE_RULES).
import { createProjectGraphAsync } from '@nx/devkit';
import nx from '@nx/eslint-plugin';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The boundary rule reads the cached project graph and skips itself, with only a warning, when
// there is none (a fresh clone): make or refresh it before any file is linted.
await createProjectGraphAsync({ exitOnError: true });

/** Every `scope:` tag but `scope:shared`: a service's or a tool's own. */
const APP_SCOPES = [
  'captioning',
  'edits',
  'frame-selection',
  'gateway',
  'metrics',
  'preview-generator',
  'video-generation',
  'webhooks',
  'eval',
  'reliability',
];

const TEST_FILES = ['**/__tests__/**/*.ts', '**/*.spec.ts', '**/*.int-spec.ts'];

/** The boundary rule; `allow` lists import paths (regular expressions) let through whatever their project. */
const boundaries = (allow) => ({
  plugins: { '@nx': nx },
  rules: {
    '@nx/enforce-module-boundaries': [
      'error',
      {
        enforceBuildableLibDependency: false,
        allow,
        depConstraints: [
          { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
          { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
          { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
          ...APP_SCOPES.map((scope) => ({
            sourceTag: `scope:${scope}`,
            onlyDependOnLibsWithTags: [`scope:${scope}`, 'scope:shared'],
          })),
        ],
      },
    ],
  },
});

/**
 * Tests that reach into another service's source (relative paths the old import lists missed):
 * video-generation's tests drive edits' use case and start preview-generator's server in-process.
 * TEMPORARY: this list must end empty; video-generation is being moved to its own data (issue #12).
 */
export const PENDING_BOUNDARY_FIXES = [
  'services/video-generation/src/generation/__tests__/retried-generation.int-spec.ts',
  'services/video-generation/src/generation/__tests__/worker-pool.int-spec.ts',
];

export const REPOSITORIES_ONLY = 'only repositories touch the database: move this into a *.repository.ts';

/**
 * Files that still touch the database outside a repository while the services move to
 * repositories (issue #12). TEMPORARY: this list must end empty, and a file leaves it in the
 * commit that moves its queries into a `*.repository.ts`.
 */
export const PENDING_REPOSITORY_MOVES = [
  'services/captioning/src/caption/write-temporal-caption.use-case.ts',
  'services/captioning/src/examples/caption-examples.service.ts',
  'services/captioning/src/graphql/captioning.resolver.ts',
  'services/edits/src/cancel-edit/cancel-edit.use-case.ts',
  'services/edits/src/create-edit/create-edit.use-case.ts',
  'services/edits/src/persistence/edit-queries.sql.ts',
  'services/edits/src/persistence/tenant-lock.ts',
  'services/edits/src/select-frame/select-frame.use-case.ts',
  'services/edits/src/stage-events/edit-update.ts',
  'services/edits/src/stage-events/record-stage-event.use-case.ts',
  'services/frame-selection/src/graphql/selection-decision.resolver.ts',
  'services/frame-selection/src/selection/select-frame.use-case.ts',
  'services/metrics/src/graphql/edit-metrics.resolver.ts',
  'services/metrics/src/graphql/frame-metrics.resolver.ts',
  'services/metrics/src/measurement/measure-frames.use-case.ts',
  'services/video-generation/src/generation/edit-cancelled.handler.ts',
  'services/video-generation/src/generation/generate-video.use-case.ts',
];

/**
 * Outside repositories, services use neither the Prisma client nor a transaction: no value import
 * of the client, its namespace or the PRISMA token (type-only imports of rows stay allowed), and
 * no member access on `prisma`/`tx` nor any `$queryRaw`/`$executeRaw`/`$transaction`. Wiring
 * (app.module.ts, cli/) and tests may.
 */
const DATABASE_RULES = {
  files: ['services/*/src/**/*.ts'],
  ignores: [
    '**/*.repository.ts',
    ...TEST_FILES,
    'services/*/src/app.module.ts',
    'services/*/src/cli/**',
    ...PENDING_REPOSITORY_MOVES,
  ],
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        paths: [
          {
            name: '@f2f/database',
            importNames: ['PrismaClient', 'Prisma', 'createPrismaClient'],
            allowTypeImports: true,
            message: REPOSITORIES_ONLY,
          },
          {
            name: '@f2f/platform',
            importNames: ['PRISMA'],
            allowTypeImports: true,
            message: REPOSITORIES_ONLY,
          },
        ],
      },
    ],
    'no-restricted-syntax': [
      'error',
      // prisma.edit, prisma.$transaction, tx.edit.create(...)
      {
        selector: 'MemberExpression[object.type="Identifier"][object.name=/^(prisma|tx)$/]',
        message: REPOSITORIES_ONLY,
      },
      // this.prisma.edit, ctx.tx.edit
      {
        selector: 'MemberExpression[object.type="MemberExpression"][object.property.name=/^(prisma|tx)$/]',
        message: REPOSITORIES_ONLY,
      },
      // $queryRaw`...`, client.$executeRawUnsafe(...), db.$transaction(...) whatever the client is called
      {
        selector:
          'MemberExpression[property.name=/^\\$(queryRaw|queryRawUnsafe|executeRaw|executeRawUnsafe|transaction)$/]' +
          ':not([object.name=/^(prisma|tx)$/]):not([object.property.name=/^(prisma|tx)$/])',
        message: REPOSITORIES_ONLY,
      },
    ],
  },
};

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/generated/**',
      '.cache/**',
      '.nx/**',
      '.data/**',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
        globalThis: 'readonly',
        URL: 'readonly',
        WebAssembly: 'readonly',
        Buffer: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  { files: ['**/*.ts'], ...boundaries([]) },
  // Tests of every project share the factories and doubles of test/support (no project of its own).
  { files: TEST_FILES, ...boundaries(['^(\\.\\./)+test/support/']) },
  { files: PENDING_BOUNDARY_FIXES, rules: { '@nx/enforce-module-boundaries': 'off' } },
  DATABASE_RULES,
  {
    files: ['**/__tests__/**/*.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
