// Prisma's schema engine, compiled to WebAssembly (@prisma/schema-engine-wasm), driven through
// @prisma/adapter-pg. The Prisma CLI's native engine cannot be downloaded on machines without
// internet; this is the same engine, so the migrations it writes are the ones `prisma migrate dev`
// would write, and `prisma migrate deploy` applies them unchanged.
//
//   node libs/database/scripts/schema-engine.mjs create <name> <service>  write a migration of the
//                                       service's schema changes (services/<service>/prisma)
//   node libs/database/scripts/schema-engine.mjs check [<service>...]    fail when an owner's schema
//                                       has changes that no migration holds (all owners by default)
// An owner is a service with a prisma/ folder (its *.prisma files and migrations/), or `legacy`:
// libs/database/prisma, the one schema from before each service owned its data (frozen).
// Needs a Postgres it may create a shadow database on: DATABASE_URL or infra/postgres.sh's default.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');

/** The owners whose schemas have migrations: every service with a prisma/ folder. */
function owners() {
  const services = path.join(repoRoot, 'services');
  return fs
    .readdirSync(services)
    .filter((name) => fs.existsSync(path.join(services, name, 'prisma', 'migrations')))
    .sort();
}

function prismaDirOf(owner) {
  if (owner === 'legacy') return path.resolve(here, '../prisma');
  const dir = path.join(repoRoot, 'services', owner, 'prisma');
  if (!fs.existsSync(dir)) throw new Error(`no prisma/ folder for service ${owner} (${dir})`);
  return dir;
}

/** The owner's Prisma schema files (a folder of *.prisma files, links followed). */
function schemaFiles(prismaDir) {
  return fs
    .readdirSync(prismaDir)
    .filter((name) => name.endsWith('.prisma'))
    .sort()
    .map((name) => ({ path: name, content: fs.readFileSync(path.join(prismaDir, name), 'utf8') }));
}
const databaseUrl = process.env.DATABASE_URL ?? 'postgresql://f2f:f2f@127.0.0.1:55432/f2f';

globalThis.PRISMA_WASM_PANIC_REGISTRY ??= {
  set_message(message) {
    console.error(`schema engine panic: ${message}`);
  },
};

async function loadEngine(files) {
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
    { datamodels: files.map((f) => [f.path, f.content]) },
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
  // The adapter runs a script by splitting it on every `;`, which breaks DO $$ … $$ blocks and
  // comments holding a `;`; Postgres takes the whole script as one simple query, as
  // `prisma migrate` does.
  let adapter = Object.getPrototypeOf(probe);
  while (adapter && !Object.hasOwn(adapter, 'executeScript')) adapter = Object.getPrototypeOf(adapter);
  if (!adapter) throw new Error('@prisma/adapter-pg changed: no executeScript to patch');
  adapter.executeScript = async function (script) {
    try {
      await this.client.query(script);
    } catch (error) {
      this.onError(error);
    }
  };
  await probe.dispose();
}

function migrationList(migrationsDir) {
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

async function pendingSql(prismaDir) {
  const files = schemaFiles(prismaDir);
  const engine = await loadEngine(files);
  const list = migrationList(path.join(prismaDir, 'migrations'));
  const result = await engine.diff({
    from: list.migrationDirectories.length ? { tag: 'migrations', ...list } : { tag: 'empty' },
    to: { tag: 'schemaDatamodel', files },
    script: true,
    exitCode: null,
    filters: { externalTables: [], externalEnums: [] },
  });
  // The engine names the default schema (public); an owner's migrations build the schema its
  // connection is on (search_path), which provisioning created for its role.
  const sql = (result.stdout ?? '').replace(/-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS "public";\n\n/, '');
  return /^\s*(--.*\s*)*$/.test(sql.replace('-- This is an empty migration.', '')) ? '' : sql;
}

const [command, ...args] = process.argv.slice(2);
if (command === 'create') {
  const [name, owner] = args;
  if (!name || !/^[a-z0-9_]+$/.test(name) || !owner)
    throw new Error('usage: schema-engine.mjs create <snake_case_name> <service>');
  const prismaDir = prismaDirOf(owner);
  const migrationsDir = path.join(prismaDir, 'migrations');
  const sql = await pendingSql(prismaDir);
  if (!sql) {
    console.log(`${owner}: the schema matches the migrations: nothing to create`);
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
  // One engine per process: the WebAssembly engine does not survive a second instance in one.
  const list = args.length ? args : owners();
  if (list.length > 1) {
    const { spawnSync } = await import('node:child_process');
    const failed = list.filter(
      (owner) =>
        spawnSync(process.execPath, [fileURLToPath(import.meta.url), 'check', owner], { stdio: 'inherit' })
          .status !== 0,
    );
    if (failed.length) process.exit(1);
  } else {
    const [owner] = list;
    const sql = await pendingSql(prismaDirOf(owner));
    if (sql) {
      console.error(
        `${owner}: the schema has changes that no migration holds; run \`node libs/database/scripts/schema-engine.mjs create <name> ${owner}\`:\n${sql}`,
      );
      process.exit(1);
    }
    console.log(`${owner}: migrations are up to date with the schema`);
  }
} else {
  console.error('usage: schema-engine.mjs create <name> <service> | check [<service>...]');
  process.exit(2);
}
process.exit(0);
