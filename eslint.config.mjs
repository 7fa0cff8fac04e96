// Lint: zero warnings allowed (npm run lint). Module boundaries: libs never import services, and a
// service never imports another service (they talk over Kafka, gRPC and GraphQL only).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const SERVICES = [
  'captioning',
  'edits',
  'frame-selection',
  'gateway',
  'metrics',
  'preview-generator',
  'video-generation',
  'webhooks',
];

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
  {
    files: ['libs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: SERVICES.map((s) => `@f2f/${s}`), message: 'libs/ must not import from services/.' },
            { group: ['**/services/**'], message: 'libs/ must not import from services/.' },
          ],
        },
      ],
    },
  },
  ...SERVICES.map((service) => ({
    files: [`services/${service}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: SERVICES.filter((s) => s !== service).flatMap((s) => [
                `@f2f/${s}`,
                `**/services/${s}/**`,
                `../../${s}/**`,
              ]),
              message: 'services talk over Kafka, gRPC and GraphQL; share code through libs/.',
            },
          ],
        },
      ],
    },
  })),
  {
    // Tools (the evaluation) see the platform as a client does: through the gateway, never its code.
    files: ['tools/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: SERVICES.map((s) => `@f2f/${s}`),
              message: 'tools talk to the platform over GraphQL only.',
            },
            { group: ['**/services/**'], message: 'tools talk to the platform over GraphQL only.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/__tests__/**/*.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
