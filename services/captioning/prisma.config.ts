import { defineConfig } from 'prisma/config';

// This service's own schema (prisma/*.prisma) and migrations; its role's DATABASE_URL.
export default defineConfig({
  schema: 'prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://f2f:f2f@127.0.0.1:55432/f2f' },
});
