import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * A service that owns data: its Postgres schema, the login role that alone may use it, and its
 * migrations (services/<service>/prisma/migrations). ARCHITECTURE.md lists what each one owns.
 */
export interface DataOwner {
  service: string;
  /** The Postgres schema (the service's name, snake_case). */
  schema: string;
  /** The login role granted only this schema. */
  role: string;
  migrationsDir: string;
}

/** The owner of a service's data, by the platform's naming convention. */
export function dataOwner(service: string, migrationsDir = ''): DataOwner {
  if (!/^[a-z][a-z0-9-]{0,40}$/.test(service)) throw new Error(`invalid service name ${service}`);
  const schema = service.replace(/-/g, '_');
  return { service, schema, role: `f2f_${schema}`, migrationsDir };
}

/** The repository's root, from libs/database/{src,dist}. */
export const REPO_ROOT = path.resolve(__dirname, '../../..');

/** Every service with migrations (services/<service>/prisma/migrations), in name order. */
export function dataOwners(repoRoot = REPO_ROOT): DataOwner[] {
  const services = path.join(repoRoot, 'services');
  return readdirSync(services)
    .sort()
    .map((service) => path.join(services, service, 'prisma', 'migrations'))
    .filter((dir) => existsSync(dir))
    .map((dir) => dataOwner(path.basename(path.dirname(path.dirname(dir))), dir));
}

/**
 * The password of an owner's role: `<SCHEMA>_DATABASE_PASSWORD` (e.g. EDITS_DATABASE_PASSWORD),
 * else SERVICE_DATABASE_PASSWORD, else the local development default (refused in production).
 */
export function ownerPassword(owner: DataOwner, env: NodeJS.ProcessEnv = process.env): string {
  const own = env[`${owner.schema.toUpperCase()}_DATABASE_PASSWORD`] ?? env.SERVICE_DATABASE_PASSWORD;
  if (own) return own;
  if (env.NODE_ENV === 'production')
    throw new Error(
      `${owner.schema.toUpperCase()}_DATABASE_PASSWORD (or SERVICE_DATABASE_PASSWORD) is required in production`,
    );
  return `${owner.role}-local`;
}

/** The URL a service connects with: the platform database, as the service's own role. */
export function ownerDatabaseUrl(adminUrl: string, owner: DataOwner, password: string): string {
  const url = new URL(adminUrl);
  url.username = encodeURIComponent(owner.role);
  url.password = encodeURIComponent(password);
  url.searchParams.delete('schema');
  return url.toString();
}
