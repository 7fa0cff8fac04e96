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
  'bench',
  'web',
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
 * Exemptions from the module boundaries: none. A test that needs several services' code lives in
 * test/ (test/integration, test/e2e), which belongs to no service. lint-rules.spec keeps it empty.
 */
export const PENDING_BOUNDARY_FIXES = [];

export const REPOSITORIES_ONLY = 'only repositories touch the database: move this into a *.repository.ts';

/**
 * Exemptions from "only repositories touch the database": none (issue #12 moved every query into
 * a repository). lint-rules.spec keeps it empty.
 */
export const PENDING_REPOSITORY_MOVES = [];

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
    // the service's own client, which only repositories and the wiring use
    'services/*/src/database.ts',
    // SQL text (Prisma.sql fragments) that only repositories run
    '**/*.sql.ts',
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
        patterns: [
          {
            // the service's own generated client (services/<service>/src/database.ts)
            group: ['**/database', '**/generated/prisma/**'],
            importNames: ['PrismaClient', 'Prisma', 'createDatabase'],
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
      'apps/web/src/gql/**',
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
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
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
  { files: ['**/*.ts', '**/*.tsx'], ...boundaries([]) },
  // Tests of every project share the factories and doubles of test/support (no project of its own).
  { files: TEST_FILES, ...boundaries(['^(\\.\\./)+test/support/']) },
  DATABASE_RULES,
  {
    files: ['**/__tests__/**/*.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
