// Operators' bootstrap of tenants and API keys, straight on the database (no gateway, no key needed):
//   npm run tenant -w @f2f/edits -- create <tenantId> [--name <name>] [--admin-key] [--scopes read,write,admin] [--json]
//   npm run tenant -w @f2f/edits -- key <tenantId> --scopes read,write [--name <name>] [--json]
//   npm run tenant -w @f2f/edits -- revoke <tenantId> <keyId>
//   npm run tenant -w @f2f/edits -- list <tenantId>
// A key is printed once and stored only as its SHA-256. DATABASE_URL names the database.
import { createDatabase } from '../database';
import { parseArgs } from 'node:util';

import { ConfigError, configParts, DomainError, loadConfig } from '@f2f/common';
import { asTenantId } from '@f2f/database';
import {} from '../database';
import { SCOPES } from '@f2f/platform';
import { z } from 'zod';

import { maxApiKeysPerTenantConfig } from '../config';
import { ApiKeysRepository } from '../tenancy/api-keys.repository';
import { ApiKeysService } from '../tenancy/api-keys.service';

const USAGE = `usage:
  tenant create <tenantId> [--name <name>] [--admin-key] [--scopes ${SCOPES.join(',')}] [--key-name <name>] [--json]
  tenant key <tenantId> --scopes <scopes> [--key-name <name>] [--json]
  tenant revoke <tenantId> <keyId>
  tenant list <tenantId>`;

const cliConfigSchema = z.object({
  DATABASE_URL: configParts.databaseUrl,
  MAX_API_KEYS_PER_TENANT: maxApiKeysPerTenantConfig,
});

class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      'key-name': { type: 'string' },
      'admin-key': { type: 'boolean', default: false },
      scopes: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const [command, tenantArg, keyId] = positionals;
  if (!command || !tenantArg) throw new UsageError(USAGE);
  const config = loadConfig('tenant', cliConfigSchema, process.env);
  const prisma = createDatabase({ url: config.DATABASE_URL, poolSize: 1, applicationName: 'edits-cli' });
  const service = new ApiKeysService(new ApiKeysRepository(prisma), config.MAX_API_KEYS_PER_TENANT);
  const scopes = (values.scopes ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const print = (human: string, json: object) => console.log(values.json ? JSON.stringify(json) : human);
  try {
    switch (command) {
      case 'create': {
        const tenantId = await service.ensureTenant(tenantArg, values.name ?? tenantArg);
        if (!values['admin-key'] && scopes.length === 0) {
          print(`tenant ${tenantId} exists`, { tenantId });
          return;
        }
        const { row, key } = await service.create(
          tenantId,
          values['key-name'] ?? 'admin (bootstrap)',
          scopes.length ? scopes : [...SCOPES],
          null,
        );
        print(`tenant ${tenantId}: API key ${row.id} (${row.scopes.join(', ')}); shown only now:\n${key}`, {
          tenantId,
          keyId: row.id,
          scopes: row.scopes,
          key,
        });
        return;
      }
      case 'key': {
        if (scopes.length === 0) throw new UsageError(`--scopes is required\n${USAGE}`);
        const tenantId = parseTenant(tenantArg);
        const { row, key } = await service.create(tenantId, values['key-name'] ?? 'cli', scopes, null);
        print(`API key ${row.id} (${row.scopes.join(', ')}); shown only now:\n${key}`, {
          tenantId,
          keyId: row.id,
          scopes: row.scopes,
          key,
        });
        return;
      }
      case 'revoke': {
        if (!keyId) throw new UsageError(USAGE);
        const row = await service.revoke(parseTenant(tenantArg), keyId);
        print(`API key ${row.id} revoked at ${row.revokedAt?.toISOString()}`, { keyId: row.id });
        return;
      }
      case 'list': {
        const rows = await service.list(parseTenant(tenantArg));
        const view = rows.map((r) => ({
          id: r.id,
          name: r.name,
          prefix: r.prefix,
          scopes: r.scopes,
          createdAt: r.createdAt.toISOString(),
          revokedAt: r.revokedAt?.toISOString() ?? null,
        }));
        print(
          view
            .map(
              (r) =>
                `${r.id}  f2f_${r.prefix}_…  ${r.scopes.join(',')}  ${r.name}${r.revokedAt ? '  (revoked)' : ''}`,
            )
            .join('\n') || 'no keys',
          view,
        );
        return;
      }
      default:
        throw new UsageError(USAGE);
    }
  } finally {
    await prisma.$disconnect();
  }
}

function parseTenant(id: string) {
  try {
    return asTenantId(id);
  } catch {
    throw new UsageError(`invalid tenant id ${JSON.stringify(id)}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(78);
  }
  console.error(error instanceof UsageError || error instanceof DomainError ? error.message : error);
  process.exit(error instanceof UsageError ? 64 : 1);
});
