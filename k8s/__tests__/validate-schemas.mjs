// Validates Kubernetes objects against the API's OpenAPI schemas as kubernetes-models packages them
// (types, enums, formats such as quantities, required fields), for manifests.spec.ts.
//
// kubernetes-models is ESM only, and Jest loads ES modules in-process only on Node 24.9 and later,
// so the spec runs this file with `node`: a JSON array of {where, object} on stdin, a JSON array of
// {where, model, errors} on stdout, in the same order; `errors` is empty when the object is valid.
// An object whose apiVersion/kind has no model in kubernetes-models gets an error, not a pass.
import { readFileSync } from 'node:fs';

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

async function validate({ where, object }) {
  const apiVersion = object?.apiVersion;
  const kind = object?.kind;
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
