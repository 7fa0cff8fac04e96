// Validates Kubernetes objects against the API's OpenAPI schemas as kubernetes-models packages them
// (types, enums, formats such as quantities, required fields), for manifests.spec.ts.
//
// kubernetes-models is ESM only, and Jest loads ES modules in-process only on Node 24.9 and later,
// so the spec runs this file with `node`: a JSON array of {where, object} on stdin, a JSON array of
// {where, model, errors} on stdout, in the same order; `errors` is empty when the object is valid.
// An object whose apiVersion/kind has no model in kubernetes-models gets an error, not a pass.
//
// Objects of the operators' APIs (KEDA, Strimzi, CloudNativePG: CRD_GROUPS) are validated instead
// against the openAPIV3Schema of their CustomResourceDefinition, which k8s/tools/fetch.sh puts in
// .cache/k8s-tools/crds, with ajv. Stricter than the API server's defaults, as `kubectl apply`'s
// strict field validation is: a field the schema does not declare is an error (where the schema
// does not preserve unknown fields). CEL rules (x-kubernetes-validations) are not evaluated.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import Ajv from 'ajv';
import { parse } from 'yaml';

const CRD_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../.cache/k8s-tools/crds');
/** API groups served by the operators' CRDs rather than by Kubernetes itself. */
const CRD_GROUPS = ['keda.sh', 'kafka.strimzi.io', 'postgresql.cnpg.io'];

/** `kubernetes-models/<group>/<version>/<Kind>`; the core group (apiVersion "v1") has no group part. */
function modelPath(apiVersion, kind) {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  const m = /^(?:([a-z0-9][a-z0-9.-]*)\/)?(v[0-9]+(?:(?:alpha|beta)[0-9]+)?)$/.exec(apiVersion);
  if (!m || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return undefined;
  return ['kubernetes-models', ...(m[1] ? [m[1]] : []), m[2], kind].join('/');
}

function describeError(e) {
  const where = e.instancePath || '/';
  const params = e.params && Object.keys(e.params).length > 0 ? ` ${JSON.stringify(e.params)}` : '';
  return `${where} ${e.message ?? e.keyword}${params}`;
}

/**
 * A CRD's structural schema as JSON Schema for ajv: int-or-string and nullable spelt out, and an
 * object with declared properties closed to others unless it preserves unknown fields.
 */
function jsonSchemaOf(node) {
  if (Array.isArray(node)) return node.map(jsonSchemaOf);
  if (typeof node !== 'object' || node === null) return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'properties')
      out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSchemaOf(v)]));
    else if (key === 'items' || key === 'additionalProperties' || key === 'not')
      out[key] = jsonSchemaOf(value);
    else if (key === 'allOf' || key === 'anyOf' || key === 'oneOf') out[key] = value.map(jsonSchemaOf);
    else if (!key.startsWith('x-kubernetes-') && key !== 'nullable' && key !== 'format') out[key] = value;
  }
  if (node['x-kubernetes-int-or-string']) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (node.nullable && typeof out.type === 'string') out.type = [out.type, 'null'];
  if (
    node.properties &&
    node.additionalProperties === undefined &&
    !node['x-kubernetes-preserve-unknown-fields']
  )
    out.additionalProperties = false;
  return out;
}

let crdValidators;
/** `<group>/<version>/<Kind>` -> { file, validate }, from every CRD file in CRD_DIR. */
function crdValidatorsByType() {
  if (crdValidators) return crdValidators;
  crdValidators = new Map();
  if (!existsSync(CRD_DIR)) return crdValidators;
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  for (const file of readdirSync(CRD_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    const crd = parse(readFileSync(path.join(CRD_DIR, file), 'utf8'));
    for (const version of crd.spec.versions.filter((v) => v.served)) {
      const schema = jsonSchemaOf(version.schema.openAPIV3Schema);
      // metadata is the API server's ObjectMeta, not the CRD's to describe.
      if (schema.properties) schema.properties.metadata = { type: 'object' };
      crdValidators.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, {
        file,
        validate: ajv.compile(schema),
      });
    }
  }
  return crdValidators;
}

function validateCustomResource(where, object, group) {
  const type = `${object.apiVersion}/${object.kind}`;
  const found = crdValidatorsByType().get(type);
  if (!found) {
    const known = [...crdValidatorsByType().keys()].filter((k) => k.startsWith(`${group}/`));
    return {
      where,
      model: null,
      errors: [
        `no CRD for ${object.apiVersion} ${object.kind} in ${CRD_DIR} (${known.length > 0 ? `it has ${known.join(', ')}` : 'run k8s/tools/fetch.sh'})`,
      ],
    };
  }
  const valid = found.validate(object);
  return { where, model: `crd:${found.file}`, errors: valid ? [] : found.validate.errors.map(describeError) };
}

async function validate({ where, object }) {
  const apiVersion = object?.apiVersion;
  const kind = object?.kind;
  const group = typeof apiVersion === 'string' && apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  if (CRD_GROUPS.includes(group)) return validateCustomResource(where, object, group);
  const model = modelPath(apiVersion, kind);
  if (!model) {
    return {
      where,
      model: null,
      errors: [`apiVersion "${apiVersion}" / kind "${kind}" name no Kubernetes type`],
    };
  }
  let Model;
  try {
    Model = (await import(model))[kind];
  } catch (error) {
    return {
      where,
      model,
      errors: [`no schema for ${apiVersion} ${kind} in kubernetes-models (${error.code ?? error.message})`],
    };
  }
  // Nested types (v1/Container, ...) are models too, but not objects of the API.
  if (typeof Model !== 'function' || Model.apiVersion !== apiVersion || Model.kind !== kind) {
    return { where, model, errors: [`${model} is not an API object of ${apiVersion} ${kind}`] };
  }
  try {
    new Model(object).validate();
    return { where, model, errors: [] };
  } catch (error) {
    const errors = Array.isArray(error.errors)
      ? error.errors.map(describeError)
      : [String(error.message ?? error)];
    return { where, model, errors };
  }
}

const input = JSON.parse(readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(await Promise.all(input.map(validate))));
