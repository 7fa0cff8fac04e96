// Prisma's schema engine, compiled to WebAssembly (@prisma/schema-engine-wasm), driven through
// @prisma/adapter-pg. The Prisma CLI's native engine cannot be downloaded on machines without
// internet; this is the same engine, so the migrations it writes are the ones `prisma migrate dev`
// would write, and `prisma migrate deploy` applies them unchanged.
//
//   node libs/database/scripts/schema-engine.mjs create <name>   write a migration for schema changes
//   node libs/database/scripts/schema-engine.mjs check           fail when schema.prisma has changes
//                                                                that no migration holds
// Needs a Postgres it may create a shadow database on: DATABASE_URL or infra/postgres.sh's default.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const prismaDir = path.resolve(here, '../prisma');
const migrationsDir = path.join(prismaDir, 'migrations');
const schemaPath = path.join(prismaDir, 'schema.prisma');
const databaseUrl = process.env.DATABASE_URL ?? 'postgresql://f2f:f2f@127.0.0.1:55432/f2f';

globalThis.PRISMA_WASM_PANIC_REGISTRY ??= {
  set_message(message) {
    console.error(`schema engine panic: ${message}`);
  },
};

async function loadEngine(schema) {
  const dir = path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
  const bindings = await import(path.join(dir, 'schema_engine_bg.js'));
  const { instance } = await WebAssembly.instantiate(
    fs.readFileSync(path.join(dir, 'schema_engine_bg.wasm')),
    {
      './schema_engine_bg.js': bindings,
    },
  );
  bindings.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start?.();
  const { PrismaPg } = require('@prisma/adapter-pg');
  const { bindMigrationAwareSqlAdapterFactory } = require('@prisma/driver-adapter-utils');
  // A config object, not a connectionString: the shadow database connection overrides `database`.
  const url = new URL(databaseUrl);
  const factory = new PrismaPg({
    host: url.hostname,
    port: Number(url.port || 5432),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: url.pathname.slice(1),
  });
  // The adapter drops its shadow database while its own pool still holds a connection to it,
  // which Postgres refuses; drop it with FORCE after the engine is done with it instead.
  factory.connectToShadowDb = async () => {
    const admin = await factory.connect();
    const shadowName = `prisma_migrate_shadow_db_${crypto.randomUUID()}`;
    await admin.executeScript(`CREATE DATABASE "${shadowName}"`);
    const shadow = await new PrismaPg({ ...factory.config, database: shadowName }).connect();
    const dispose = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await dispose();
      await admin.executeScript(`DROP DATABASE IF EXISTS "${shadowName}" WITH (FORCE)`);
      await admin.dispose();
    };
    return shadow;
  };
  await patchCharColumns(factory);
  return bindings.SchemaEngine.new(
    { datamodels: [['schema.prisma', schema]] },
    () => {},
    bindMigrationAwareSqlAdapterFactory(factory),
  );
}

// The adapter refuses Postgres' internal "char" type (OID 18), which the engine's introspection
// queries return (pg_class.relkind and friends); pg hands its values over as strings, so they are
// read as text. The patch is on the adapter's shared base class, for this script's process only.
async function patchCharColumns(factory) {
  const probe = await factory.connect();
  let proto = Object.getPrototypeOf(probe);
  while (proto && !Object.hasOwn(proto, 'performIO')) proto = Object.getPrototypeOf(proto);
  if (!proto) throw new Error('@prisma/adapter-pg changed: no performIO to patch');
  const performIO = proto.performIO;
  proto.performIO = async function (...args) {
    const result = await performIO.apply(this, args);
    for (const field of result.fields ?? []) if (field.dataTypeID === 18) field.dataTypeID = 25;
    return result;
  };
  await probe.dispose();
}

function migrationList() {
  const dirs = fs.existsSync(migrationsDir)
    ? fs
        .readdirSync(migrationsDir, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
    : [];
  const lockPath = path.join(migrationsDir, 'migration_lock.toml');
  return {
    baseDir: migrationsDir,
    lockfile: {
      path: 'migration_lock.toml',
      content: fs.existsSync(lockPath) ? fs.readFileSync(lockPath, 'utf8') : null,
    },
    shadowDbInitScript: '',
    migrationDirectories: dirs.map((name) => ({
      path: name,
      migrationFile: {
        path: 'migration.sql',
        content: {
          tag: 'ok',
          value: fs.readFileSync(path.join(migrationsDir, name, 'migration.sql'), 'utf8'),
        },
      },
    })),
  };
}

async function pendingSql() {
  const schema = fs.readFileSync(schemaPath, 'utf8');
  const engine = await loadEngine(schema);
  const list = migrationList();
  const result = await engine.diff({
    from: list.migrationDirectories.length ? { tag: 'migrations', ...list } : { tag: 'empty' },
    to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: schema }] },
    script: true,
    exitCode: null,
    filters: { externalTables: [], externalEnums: [] },
  });
  const sql = result.stdout ?? '';
  return /^\s*(--.*\s*)*$/.test(sql.replace('-- This is an empty migration.', '')) ? '' : sql;
}

const [command, name] = process.argv.slice(2);
if (command === 'create') {
  if (!name || !/^[a-z0-9_]+$/.test(name))
    throw new Error('usage: schema-engine.mjs create <snake_case_name>');
  const sql = await pendingSql();
  if (!sql) {
    console.log('schema.prisma matches the migrations: nothing to create');
  } else {
    const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
    const dir = path.join(migrationsDir, `${stamp}_${name}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'migration.sql'), sql);
    const lock = path.join(migrationsDir, 'migration_lock.toml');
    if (!fs.existsSync(lock))
      fs.writeFileSync(
        lock,
        '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "postgresql"\n',
      );
    console.log(`wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
  }
} else if (command === 'check') {
  const sql = await pendingSql();
  if (sql) {
    console.error(
      'schema.prisma has changes that no migration holds; run `npm run db:migration -- <name>`:\n' + sql,
    );
    process.exit(1);
  }
  console.log('migrations are up to date with schema.prisma');
} else {
  console.error('usage: schema-engine.mjs create <name> | check');
  process.exit(2);
}
process.exit(0);
