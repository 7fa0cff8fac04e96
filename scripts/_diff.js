globalThis.PRISMA_WASM_PANIC_REGISTRY = { set_message(m) { console.error('panic', m); } };
const { SchemaEngine } = require('@prisma/schema-engine-wasm');
const fs = require('fs');
(async () => {
  const schema = fs.readFileSync('libs/database/prisma/schema.prisma', 'utf8');
  const eng = await SchemaEngine.new({ datamodels: [['schema.prisma', schema]] }, (l) => {}, {provider: 'postgres', adapterName: '@prisma/adapter-pg'});
  const r = await eng.diff({ from: { tag: 'empty' }, to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: schema }] }, script: true, exitCode: null, filters: { externalTables: [], externalEnums: [] } });
  console.log(JSON.stringify(r).slice(0, 3000));
})().catch((e) => { console.error('ERR', e); process.exit(1); });
