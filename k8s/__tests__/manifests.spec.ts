// Invariants of the Kubernetes manifests (k8s/) that break silently: a Service that selects no pod,
// a probe on a port nobody listens on, an env var the service ignores or rejects, a file missing
// from a kustomization, a GPU worker that would never be scheduled or would be killed mid-drain.
// Every kustomization is built here by a small resolver (resources, patches, replicas, namespace:
// what these kustomizations use) and each invariant is checked on the result; kustomize's own build
// of each (the binary k8s/tools/fetch.sh builds into .cache/k8s-tools, else `kubectl kustomize`)
// must equal that resolution. Every manifest and every build is also validated against the
// Kubernetes API's schemas (kubernetes-models) and the operators' CRDs (through validate-schemas.mjs).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

import { runNodeScript } from '../../test/support/node-script';

const K8S = path.resolve(__dirname, '..');
const REPO = path.resolve(K8S, '..');
const BASE = path.join(K8S, 'base');
/** The complete cluster: base plus Kafka, Postgres, Ingress, NetworkPolicies and autoscaling. */
const CLUSTER = path.join(K8S, 'overlays', 'cluster');
const NAMESPACE = 'frame2frame';
/** The Secret the cluster operator creates; secret.example.yaml documents its keys. */
const SECRET_EXAMPLE = path.join(BASE, 'secret.example.yaml');
/** Runs kubernetes-models' schema validation in a node process (it is ESM only; see that file). */
const SCHEMA_VALIDATOR = path.join(__dirname, 'validate-schemas.mjs');
/** The extended resource of NVIDIA's device plugin, and the taint GPU nodes carry. */
const GPU = 'nvidia.com/gpu';
/** Images built from somewhere other than services/<image>/Dockerfile. */
const WORKER_DOCKERFILES: Record<string, string> = {
  'cogvideox-worker': 'workers/cogvideox/Dockerfile',
};
/**
 * The variables workers/cogvideox/src/f2f_worker/config.py reads, as of this test's writing; used
 * only when that file is missing or no longer reads them in a way pythonConfigVariables recognises.
 */
const COGVIDEOX_CONFIG_FALLBACK = [
  'MODEL_DIR',
  'HOST',
  'PORT',
  'DEVICE',
  'DTYPE',
  'VAE_TILING',
  'VAE_SLICING',
  'MODEL_ID',
  'MODEL_REVISION',
  'GENERATOR_NAME',
  'MODEL_ALIASES',
  'MAX_MESSAGE_BYTES',
  'DRAIN_TIMEOUT_S',
  'MAX_NUM_FRAMES',
  'ALLOW_ANY_SIZE',
  'LOG_LEVEL',
];
/** Python workers: their configuration is read by this file rather than by a zod schema. */
const PYTHON_WORKER_CONFIGS: Record<string, { file: string; fallback: string[] }> = {
  'cogvideox-worker': {
    file: 'workers/cogvideox/src/f2f_worker/config.py',
    fallback: COGVIDEOX_CONFIG_FALLBACK,
  },
};
/** After DRAIN_TIMEOUT_S the worker stops its generation and waits up to 30 s more (server.py drain). */
const DRAIN_STOP_WAIT_S = 30;
/** Loading CogVideoX-5B-I2V from a network volume takes minutes: the startup probe allows at least this. */
const MIN_STARTUP_BUDGET_S = 15 * 60;

type Labels = Record<string, string>;
interface Meta {
  name: string;
  namespace?: string;
  labels?: Labels;
}
interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: Meta;
  [key: string]: unknown;
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    configMapKeyRef?: { name: string; key: string };
    secretKeyRef?: { name: string; key: string };
    fieldRef?: unknown;
  };
}
interface Probe {
  httpGet?: { path: string; port: number | string };
  grpc?: { port: number; service?: string };
  tcpSocket?: { port: number | string };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  failureThreshold?: number;
}
interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  volumes?: {
    name: string;
    persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
    emptyDir?: unknown;
  }[];
}
interface PodTemplate {
  metadata?: { labels?: Labels };
  spec: PodSpec;
}
interface Workload extends Manifest {
  spec: {
    replicas?: number;
    progressDeadlineSeconds?: number;
    selector?: { matchLabels?: Labels };
    template: PodTemplate;
  };
}
interface Service extends Manifest {
  spec: {
    type?: string;
    clusterIP?: string;
    selector?: Labels;
    ports: { name?: string; port: number; targetPort?: number | string }[];
  };
}
interface Claim extends Manifest {
  spec: { accessModes?: string[] };
}
interface DisruptionBudget extends Manifest {
  spec: {
    selector?: { matchLabels?: Labels };
    maxUnavailable?: number | string;
    minAvailable?: number | string;
  };
}
interface DataObject extends Manifest {
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}
interface Kustomization {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  resources?: string[];
  patches?: { path?: string; patch?: string; target?: Record<string, string> }[];
  replicas?: { name: string; count: number }[];
}

// ---------------------------------------------------------------------------------------------
// Reading and resolving

function yamlFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? e.name === '__tests__'
          ? []
          : yamlFiles(path.join(dir, e.name))
        : /\.ya?ml$/.test(e.name)
          ? [path.join(dir, e.name)]
          : [],
    )
    .sort();
}

function parseYaml(file: string, text = fs.readFileSync(file, 'utf8')): unknown[] {
  return parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    return value === null || value === undefined ? [] : [value];
  });
}

const kustomizationDirs = yamlFiles(K8S)
  .filter((f) => path.basename(f) === 'kustomization.yaml')
  .map((f) => path.dirname(f));

function readKustomization(dir: string): Kustomization {
  const [k] = parseYaml(path.join(dir, 'kustomization.yaml')) as Kustomization[];
  return k;
}

const SUPPORTED_KEYS = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'patches', 'replicas']);

function matchesTarget(obj: Manifest, target: Record<string, string>): boolean {
  for (const key of Object.keys(target)) {
    if (!['kind', 'name', 'namespace'].includes(key))
      throw new Error(`patch target field "${key}" is not handled by this test's resolver; extend it`);
  }
  // kustomize reads a target's name as an anchored regular expression.
  return (
    (!target.kind || obj.kind === target.kind) &&
    (!target.name || new RegExp(`^(?:${target.name})$`).test(obj.metadata.name)) &&
    (!target.namespace || obj.metadata.namespace === target.namespace)
  );
}

/** RFC 6902 add / replace / remove; `replace` and `remove` fail on a missing path, as in kustomize. */
function applyJsonPatch(obj: Manifest, ops: { op: string; path: string; value?: unknown }[]): void {
  for (const { op, path: pointer, value } of ops) {
    const keys = pointer
      .split('/')
      .slice(1)
      .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = keys.pop()!;
    const fail = () => new Error(`${obj.metadata.name}: ${op} ${pointer}: path does not exist`);
    let parent: unknown = obj;
    for (const key of keys) {
      parent = (parent as Record<string, unknown> | undefined)?.[key];
      if (parent === undefined) throw fail();
    }
    if (op !== 'add' && op !== 'replace' && op !== 'remove')
      throw new Error(`JSON patch op "${op}" is not handled by this test's resolver; extend it`);
    if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last);
      if (op !== 'add' && !(index < parent.length)) throw fail();
      if (op === 'add') parent.splice(index, 0, value);
      else if (op === 'remove') parent.splice(index, 1);
      else parent[index] = value;
    } else {
      const map = parent as Record<string, unknown>;
      if (op !== 'add' && !(last in map)) throw fail();
      if (op === 'remove') delete map[last];
      else map[last] = value;
    }
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Strategic merge as far as these manifests need it: maps merge, lists of named maps merge by name. */
function strategicMerge(base: unknown, patch: unknown): unknown {
  if (isPlainObject(base) && isPlainObject(patch)) {
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete out[key];
      else out[key] = key in base ? strategicMerge(base[key], value) : value;
    }
    return out;
  }
  const named = (l: unknown): l is { name: string }[] =>
    Array.isArray(l) && l.every((i) => isPlainObject(i) && typeof i.name === 'string');
  if (named(base) && named(patch)) {
    const out = [...base] as unknown[];
    for (const item of patch) {
      const i = out.findIndex((o) => (o as { name: string }).name === item.name);
      if (i >= 0) out[i] = strategicMerge(out[i], item);
      else out.push(item);
    }
    return out;
  }
  return patch;
}

/** The objects `kubectl kustomize <dir>` produces, for the features these kustomizations use. */
function build(dir: string): Manifest[] {
  const k = readKustomization(dir);
  for (const key of Object.keys(k)) {
    if (!SUPPORTED_KEYS.has(key))
      throw new Error(
        `${dir}/kustomization.yaml: "${key}" is not handled by this test's resolver; extend it`,
      );
  }
  let objects: Manifest[] = (k.resources ?? []).flatMap((r) => {
    const p = path.resolve(dir, r);
    return fs.statSync(p).isDirectory() ? build(p) : (parseYaml(p) as Manifest[]);
  });
  for (const { path: file, patch, target } of k.patches ?? []) {
    const text = patch ?? fs.readFileSync(path.resolve(dir, file!), 'utf8');
    const docs = parseYaml(`${dir} patch`, text);
    if (docs.length === 1 && Array.isArray(docs[0])) {
      if (!target) throw new Error(`${dir}: a JSON patch needs a target`);
      const hits = objects.filter((o) => matchesTarget(o, target));
      if (hits.length === 0)
        throw new Error(`${dir}: patch target ${JSON.stringify(target)} matches nothing`);
      hits.forEach((o) => applyJsonPatch(o, docs[0] as { op: string; path: string }[]));
    } else {
      for (const { $patch: directive, ...p } of docs as (Manifest & { $patch?: string })[]) {
        if (directive !== undefined && directive !== 'delete')
          throw new Error(`${dir}: "$patch: ${directive}" is not handled by this test's resolver; extend it`);
        // As kustomize: a patch without a target names its object by kind, name and namespace
        // (none means "default"; base has already put every object in its namespace).
        const selected = (o: Manifest) =>
          target
            ? matchesTarget(o, target)
            : o.kind === p.kind &&
              o.metadata.name === p.metadata.name &&
              (o.metadata.namespace ?? 'default') === (p.metadata.namespace ?? 'default');
        const hit = objects.some(selected);
        if (!hit) throw new Error(`${dir}: patch for ${p.kind}/${p.metadata?.name} matches nothing`);
        if (directive === 'delete') {
          objects = objects.filter((o) => !selected(o));
          continue;
        }
        objects = objects.map((o) => {
          if (!selected(o)) return o;
          const { metadata: _metadata, ...body } = p;
          return strategicMerge(o, target ? body : p) as Manifest;
        });
      }
    }
  }
  for (const { name, count } of k.replicas ?? []) {
    const d = objects.find((o) => o.metadata.name === name && /^(Deployment|StatefulSet)$/.test(o.kind));
    if (!d) throw new Error(`${dir}: replicas for ${name}, which is not a Deployment here`);
    (d as Workload).spec.replicas = count;
  }
  if (k.namespace) {
    for (const o of objects) if (o.kind !== 'Namespace') o.metadata.namespace = k.namespace;
  }
  return objects;
}

// ---------------------------------------------------------------------------------------------
// Helpers over one build

const selects = (selector: Labels | undefined, labels: Labels | undefined): boolean =>
  !!selector &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);

const workloads = (objects: Manifest[]): Workload[] =>
  objects.filter((o) => ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(o.kind)) as Workload[];
const deployments = (objects: Manifest[]): Workload[] =>
  objects.filter((o) => o.kind === 'Deployment') as Workload[];
const services = (objects: Manifest[]): Service[] => objects.filter((o) => o.kind === 'Service') as Service[];
const containersOf = (w: Workload): Container[] => [
  ...(w.spec.template.spec.initContainers ?? []),
  ...w.spec.template.spec.containers,
];
const podsSelectedBy = (objects: Manifest[], s: Service): Workload[] =>
  deployments(objects).filter((d) => selects(s.spec.selector, d.spec.template.metadata?.labels));
const envOf = (c: Container, name: string): string | undefined => c.env?.find((e) => e.name === name)?.value;

/** The port a Service's targetPort lands on in a container, or undefined when it lands nowhere. */
function targetPortIn(
  c: Container,
  port: { port: number; targetPort?: number | string },
): number | undefined {
  const target = port.targetPort ?? port.port;
  const found = c.ports?.find((p) =>
    typeof target === 'string' ? p.name === target : p.containerPort === target,
  );
  return found?.containerPort;
}

const exampleSecret = parseYaml(SECRET_EXAMPLE)[0] as DataObject;

/** The environment a container starts with, values from the build's ConfigMaps and the example Secret. */
function environment(objects: Manifest[], c: Container): Record<string, string> {
  const configMap = (name: string) =>
    (objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name) as DataObject | undefined)?.data;
  const secret = (name: string) =>
    name === exampleSecret.metadata.name ? exampleSecret.stringData : undefined;
  const env: Record<string, string> = {};
  for (const from of c.envFrom ?? []) {
    if (from.configMapRef) Object.assign(env, configMap(from.configMapRef.name));
    if (from.secretRef) Object.assign(env, secret(from.secretRef.name));
  }
  for (const e of c.env ?? []) {
    const cm = e.valueFrom?.configMapKeyRef;
    const sk = e.valueFrom?.secretKeyRef;
    const value = e.value ?? (cm ? configMap(cm.name)?.[cm.key] : sk ? secret(sk.name)?.[sk.key] : 'field');
    if (value !== undefined) env[e.name] = value;
  }
  return env;
}

/** cpu ("500m", "1") and memory ("128Mi", "1Gi") quantities as numbers, for comparing. */
function quantity(q: string | number): number {
  const m = /^([0-9.]+)(m|k|Ki|M|Mi|G|Gi|T|Ti)?$/.exec(String(q));
  if (!m) throw new Error(`unparseable quantity ${q}`);
  const units: Record<string, number> = {
    m: 1e-3,
    k: 1e3,
    Ki: 2 ** 10,
    M: 1e6,
    Mi: 2 ** 20,
    G: 1e9,
    Gi: 2 ** 30,
    T: 1e12,
    Ti: 2 ** 40,
  };
  return Number(m[1]) * (m[2] ? units[m[2]] : 1);
}

interface ConfigSchema {
  shape: Record<string, unknown>;
  safeParse(v: unknown): { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } };
}

/** The zod schema in services/<name>/src/config.ts: the variables the service reads. */
async function configSchemaOf(service: string): Promise<ConfigSchema> {
  const mod = (await import(path.join(REPO, 'services', service, 'src', 'config.ts'))) as Record<
    string,
    unknown
  >;
  const [schema] = Object.entries(mod)
    .filter(([k]) => k.endsWith('ConfigSchema'))
    .map(([, v]) => v as ConfigSchema);
  if (!schema) throw new Error(`services/${service}/src/config.ts exports no *ConfigSchema`);
  return schema;
}

/**
 * The environment variables a Python worker's config.py reads: the names it passes to its readers
 * (`get("X")`, `integer("X", ...)`, `number`, `boolean`, `choice`) or to os.environ / os.getenv.
 * When the file is missing, or no longer reads PORT and MODEL_DIR in a recognisable way (it changed
 * shape), the fallback list is used instead, so that this test keeps checking something sensible.
 */
function pythonConfigVariables(file: string, fallback: string[]): { names: string[]; parsed: boolean } {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const reader =
    /(?:\b(?:get|integer|number|boolean|choice|getenv)|environ\.get|environ)\s*[([]\s*["']([A-Z][A-Z0-9_]*)["']/g;
  const names = [...new Set([...text.matchAll(reader)].map((m) => m[1]))].sort();
  const recognised = names.includes('PORT') && names.includes('MODEL_DIR');
  return recognised ? { names, parsed: true } : { names: [...fallback].sort(), parsed: false };
}

/** What k8s/tools/fetch.sh puts in .cache (kustomize, the operators' CRDs); npm test runs it first. */
const K8S_TOOLS = path.join(REPO, '.cache', 'k8s-tools');
const FETCH_TOOLS = 'bash k8s/tools/fetch.sh';
/** `kustomize build <dir>`: the binary k8s/tools/fetch.sh builds, else kubectl's, else undefined. */
const kustomizeCommand: ((dir: string) => [string, string[]]) | undefined = fs.existsSync(
  path.join(K8S_TOOLS, 'bin', 'kustomize'),
)
  ? (dir) => [path.join(K8S_TOOLS, 'bin', 'kustomize'), ['build', dir]]
  : spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0
    ? (dir) => ['kubectl', ['kustomize', dir]]
    : undefined;
function kustomize(dir: string): { status: number | null; stdout: string; stderr: string } {
  if (!kustomizeCommand) throw new Error(`no kustomize: run \`${FETCH_TOOLS}\` (or install kubectl)`);
  const [bin, args] = kustomizeCommand(dir);
  return spawnSync(bin, args, { encoding: 'utf8' });
}
const python = ['python3', 'python'].find(
  (bin) => spawnSync(bin, ['--version'], { encoding: 'utf8' }).status === 0,
);

/**
 * What a Python worker's own load_config says of an environment: its issues ([] when accepted),
 * or undefined when config.py is missing or has no load_config (nothing to ask). MODEL_DIR must be
 * a diffusers directory that exists, so it is swapped for an empty stand-in with a model_index.json.
 */
function pythonConfigIssues(file: string, env: Record<string, string>): string[] | undefined {
  if (!python || !fs.existsSync(file)) return undefined;
  const modelDir = fs.mkdtempSync(path.join(os.tmpdir(), 'f2f-model-'));
  try {
    fs.writeFileSync(path.join(modelDir, 'model_index.json'), '{}');
    const script = [
      'import importlib.util, json, sys',
      'spec = importlib.util.spec_from_file_location("f2f_worker_config_under_test", sys.argv[1])',
      'module = importlib.util.module_from_spec(spec)',
      'sys.modules[spec.name] = module',
      'spec.loader.exec_module(module)',
      'load = getattr(module, "load_config", None)',
      'if load is None:',
      '    print("null"); sys.exit(0)',
      'try:',
      '    load(json.load(sys.stdin)); print("[]")',
      'except Exception as error:',
      '    if type(error).__name__ != "ConfigError": raise',
      '    print(json.dumps([str(i) for i in getattr(error, "issues", [str(error)])]))',
    ].join('\n');
    const out = spawnSync(python, ['-c', script, file], {
      input: JSON.stringify({ ...env, ...(env.MODEL_DIR ? { MODEL_DIR: modelDir } : {}) }),
      encoding: 'utf8',
    });
    if (out.status !== 0) throw new Error(`${file}: load_config failed:\n${out.stderr}`);
    return (JSON.parse(out.stdout) as string[] | null) ?? undefined;
  } finally {
    fs.rmSync(modelDir, { recursive: true, force: true });
  }
}

interface SchemaResult {
  where: string;
  model: string | null;
  errors: string[];
}

/** Each object validated against its Kubernetes schema; an apiVersion/kind without one is an error. */
function validateSchemas(items: { where: string; object: unknown }[]): SchemaResult[] {
  const results = runNodeScript<SchemaResult[]>(SCHEMA_VALIDATOR, items, REPO);
  if (results.length !== items.length) throw new Error(`${SCHEMA_VALIDATOR}: ${results.length} results`);
  return results;
}

/** The documents of every manifest file under dir (kustomization.yaml files are not API objects). */
const manifestDocuments = (dir: string): { where: string; object: Manifest }[] =>
  yamlFiles(dir)
    .filter((f) => path.basename(f) !== 'kustomization.yaml')
    .flatMap((f) =>
      (parseYaml(f) as Manifest[]).map((object, i) => ({
        where: `${path.relative(dir, f)}#${i} ${key(object)}`,
        object,
      })),
    );

const buildDocuments = (name: string, objects: Manifest[]): { where: string; object: Manifest }[] =>
  objects.map((object) => ({ where: `build ${name}: ${key(object)}`, object }));

/** A GPU count as a number ('1', 1), or undefined when the container asks for none. */
const gpus = (c: Container, kind: 'requests' | 'limits'): number | undefined => {
  const q = c.resources?.[kind]?.[GPU];
  return q === undefined ? undefined : quantity(q);
};
/** The Deployments whose pods ask for a GPU. */
const gpuWorkers = (objects: Manifest[]): Workload[] =>
  deployments(objects).filter((d) =>
    d.spec.template.spec.containers.some(
      (c) => gpus(c, 'requests') !== undefined || gpus(c, 'limits') !== undefined,
    ),
  );
const disruptionBudgets = (objects: Manifest[]): DisruptionBudget[] =>
  objects.filter((o) => o.kind === 'PodDisruptionBudget') as DisruptionBudget[];
/** How long a probe lets a container fail before it gives up on it, in seconds. */
const probeBudget = (p: Probe): number =>
  (p.initialDelaySeconds ?? 0) + (p.failureThreshold ?? 3) * (p.periodSeconds ?? 10);

// ---------------------------------------------------------------------------------------------

describe('k8s manifests: files', () => {
  it('every YAML document under k8s/ parses and has apiVersion, kind and a name', () => {
    const files = yamlFiles(K8S);
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const docs = parseYaml(file) as Manifest[];
      expect(docs.length).toBeGreaterThan(0);
      if (path.basename(file) === 'kustomization.yaml') continue;
      for (const doc of docs) {
        expect({ file, apiVersion: typeof doc.apiVersion, kind: typeof doc.kind }).toEqual({
          file,
          apiVersion: 'string',
          kind: 'string',
        });
        expect(doc.metadata?.name).toEqual(expect.any(String));
      }
    }
  });

  it('finds the base and the local overlay', () => {
    expect(kustomizationDirs.map((d) => path.relative(K8S, d))).toEqual(
      expect.arrayContaining(['base', path.join('overlays', 'local')]),
    );
  });

  it.each(kustomizationDirs.map((d) => [path.relative(K8S, d), d]))(
    '%s: every listed resource and patch file exists, and every YAML file there is used',
    (_name, dir) => {
      const k = readKustomization(dir);
      const listed = [...(k.resources ?? []), ...(k.patches ?? []).flatMap((p) => (p.path ? [p.path] : []))];
      for (const entry of listed)
        expect({ entry, exists: fs.existsSync(path.resolve(dir, entry)) }).toEqual({
          entry,
          exists: true,
        });
      const used = new Set(listed.map((e) => path.resolve(dir, e)));
      const unused = yamlFiles(dir).filter(
        (f) =>
          path.basename(f) !== 'kustomization.yaml' &&
          f !== SECRET_EXAMPLE &&
          !used.has(f) &&
          // files of a nested kustomization are that kustomization's business
          !kustomizationDirs.some((d) => d !== dir && f.startsWith(d + path.sep)),
      );
      expect(unused).toEqual([]);
    },
  );

  it.each(kustomizationDirs.map((d) => [path.relative(K8S, d), d]))('%s builds', (_name, dir) => {
    expect(() => build(dir)).not.toThrow();
  });

  it('keeps secrets out: secret.example.yaml is in no kustomization and no build holds a Secret', () => {
    expect(exampleSecret.kind).toBe('Secret');
    expect(exampleSecret.stringData?.DATABASE_URL).toMatch(/CHANGE-ME/);
    for (const dir of kustomizationDirs) {
      expect(readKustomization(dir).resources ?? []).not.toContain(path.relative(dir, SECRET_EXAMPLE));
      expect(build(dir).filter((o) => o.kind === 'Secret')).toEqual([]);
    }
  });

  it("connects each service that owns data as its own role; only db-migrate holds the administrator's URL", () => {
    const owners = fs
      .readdirSync(path.join(REPO, 'services'))
      .filter((s) => fs.existsSync(path.join(REPO, 'services', s, 'prisma', 'migrations')));
    const secretKey = (s: string) => `${s.replace(/-/g, '_').toUpperCase()}_DATABASE_URL`;
    const seen: Record<string, string | undefined> = {};
    for (const w of workloads(build(BASE)))
      for (const c of containersOf(w)) {
        const ref = c.env?.find((e) => e.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef?.key;
        if (ref) seen[w.metadata.name] = ref;
      }
    expect(seen).toEqual({
      ...Object.fromEntries(owners.map((s) => [s, secretKey(s)])),
      'db-migrate': 'DATABASE_URL',
    });
    const migrate = workloads(build(BASE)).find((w) => w.metadata.name === 'db-migrate')!;
    const passwords = containersOf(migrate)[0]!.env!.filter((e) => e.name.endsWith('_DATABASE_PASSWORD'));
    expect(passwords.map((e) => e.valueFrom?.secretKeyRef?.key).sort()).toEqual(
      owners.map((s) => `${s.replace(/-/g, '_').toUpperCase()}_DATABASE_PASSWORD`).sort(),
    );
    for (const s of owners) {
      expect(exampleSecret.stringData?.[secretKey(s)]).toMatch(
        new RegExp(`^postgresql://f2f_${s.replace(/-/g, '_')}:CHANGE-ME`),
      );
    }
  });

  it.each(kustomizationDirs.map((d) => [path.relative(K8S, d), d]))(
    '%s: kustomize builds it and agrees with the resolution here',
    (_name, dir) => {
      const out = kustomize(dir);
      expect(out.stderr).toBe('');
      expect(out.status).toBe(0);
      const key = (o: Manifest) => `${o.kind}/${o.metadata.name}`;
      const byKey = (list: Manifest[]) => Object.fromEntries(list.map((o) => [key(o), o]));
      expect(byKey(parseYaml(dir, out.stdout) as Manifest[])).toEqual(byKey(build(dir)));
    },
  );
});

describe('k8s manifests: Kubernetes API schemas (kubernetes-models)', () => {
  let results: SchemaResult[] = [];
  let baseObjects: Manifest[] = [];
  let clusterObjects: Manifest[] = [];
  beforeAll(() => {
    baseObjects = build(BASE);
    clusterObjects = build(CLUSTER);
    // Every document of every manifest file (base, the overlays' own files, secret.example.yaml)
    // and every kustomization's build output, in one node process.
    results = validateSchemas([
      ...manifestDocuments(K8S),
      ...kustomizationDirs.flatMap((d) => buildDocuments(path.relative(K8S, d), build(d))),
    ]);
  });

  it('validates every document of every manifest file and of every build, secret.example.yaml included', () => {
    expect(results.filter((r) => r.errors.length > 0)).toEqual([]);
    const validated = results.map((r) => r.where);
    expect(validated).toEqual(
      expect.arrayContaining([
        `${path.join('base', 'secret.example.yaml')}#0 Secret/f2f-secrets`,
        `${path.join('base', 'cogvideox-worker.yaml')}#0 Deployment/cogvideox-worker`,
        `${path.join('base', 'cogvideox-worker.yaml')}#1 PodDisruptionBudget/cogvideox-worker`,
        'build base: Deployment/cogvideox-worker',
        'build base: PersistentVolumeClaim/cogvideox-weights',
        `build ${path.join('overlays', 'local')}: Deployment/preview-generator`,
        ...[
          'ScaledObject/cogvideox-worker',
          'Kafka/f2f',
          'KafkaNodePool/brokers',
          'KafkaTopic/f2f.edit.status',
        ]
          .concat(['Cluster/f2f-postgres', 'NetworkPolicy/default-deny-ingress', 'Ingress/gateway'])
          .concat(['HorizontalPodAutoscaler/gateway'])
          .map((o) => `build ${path.join('overlays', 'cluster')}: ${o}`),
      ]),
    );
    const byCrd = (kind: string) =>
      results.find((r) => r.where.startsWith(`build ${path.join('overlays', 'cluster')}: ${kind}/`))?.model;
    expect(['ScaledObject', 'Kafka', 'KafkaNodePool', 'KafkaTopic', 'Cluster'].map(byCrd)).toEqual([
      'crd:keda.sh_scaledobjects.yaml',
      'crd:kafka.strimzi.io_kafkas.yaml',
      'crd:kafka.strimzi.io_kafkanodepools.yaml',
      'crd:kafka.strimzi.io_kafkatopics.yaml',
      'crd:postgresql.cnpg.io_clusters.yaml',
    ]);
    // Kubernetes' own kinds by kubernetes-models, the operators' by their CRDs.
    const bad = results.filter((r) => !/^(kubernetes-models\/|crd:)/.test(r.model ?? ''));
    expect(bad).toEqual([]);
  });

  it('treats kustomization.yaml files as kustomize configuration (no API schema; built and compared above)', () => {
    for (const dir of kustomizationDirs) {
      const k = readKustomization(dir);
      expect({ dir, apiVersion: k.apiVersion, kind: k.kind }).toEqual({
        dir,
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
      });
    }
  });

  // Mistakes kustomize and the YAML parser let through, each in a copy of one object of base.
  const BROKEN: [string, string, string, { op: string; path: string; value?: unknown }[], RegExp][] = [
    [
      'a containerPort written as a string',
      'Deployment',
      'cogvideox-worker',
      [{ op: 'replace', path: '/spec/template/spec/containers/0/ports/0/containerPort', value: '50051' }],
      /^\/spec\/template\/spec\/containers\/0\/ports\/0\/containerPort must be integer/,
    ],
    [
      'a named port in a gRPC probe (only httpGet and tcpSocket take names)',
      'Deployment',
      'cogvideox-worker',
      [{ op: 'replace', path: '/spec/template/spec/containers/0/startupProbe/grpc/port', value: 'grpc' }],
      /^\/spec\/template\/spec\/containers\/0\/startupProbe\/grpc\/port must be integer/,
    ],
    [
      'an env value that YAML reads as a number (value: 1100 unquoted)',
      'Deployment',
      'cogvideox-worker',
      [{ op: 'replace', path: '/spec/template/spec/containers/0/env/0/value', value: 50051 }],
      /^\/spec\/template\/spec\/containers\/0\/env\/0\/value must be string/,
    ],
    [
      'a memory quantity with a space',
      'Deployment',
      'cogvideox-worker',
      [{ op: 'replace', path: '/spec/template/spec/containers/0/resources/limits/memory', value: '48 Gi' }],
      /^\/spec\/template\/spec\/containers\/0\/resources\/limits\/memory must match format "quantity"/,
    ],
    [
      'a misspelt toleration effect',
      'Deployment',
      'cogvideox-worker',
      [{ op: 'replace', path: '/spec/template/spec/tolerations/0/effect', value: 'NoSchedul' }],
      /^\/spec\/template\/spec\/tolerations\/0\/effect must be equal to one of the allowed values/,
    ],
    [
      'a container without a name',
      'Deployment',
      'cogvideox-worker',
      [{ op: 'remove', path: '/spec/template/spec/containers/0/name' }],
      /^\/spec\/template\/spec\/containers\/0 must have required property name/,
    ],
    [
      'replicas written as a string',
      'Deployment',
      'cogvideox-worker',
      [{ op: 'replace', path: '/spec/replicas', value: 'two' }],
      /^\/spec\/replicas must be integer/,
    ],
    [
      'a misspelt access mode',
      'PersistentVolumeClaim',
      'cogvideox-weights',
      [{ op: 'replace', path: '/spec/accessModes/0', value: 'ReadOnlyMani' }],
      /^\/spec\/accessModes\/0 must be equal to one of the allowed values/,
    ],
    [
      'a Service port written as a string',
      'Service',
      'video-generator-workers',
      [{ op: 'replace', path: '/spec/ports/0/port', value: '50051' }],
      /^\/spec\/ports\/0\/port must be integer/,
    ],
    [
      'a kind kubernetes-models has no schema for (a typo)',
      'Deployment',
      'cogvideox-worker',
      [{ op: 'replace', path: '/kind', value: 'Deploymnet' }],
      /^no schema for apps\/v1 Deploymnet/,
    ],
    [
      'an object of an API kubernetes-models does not know',
      'PodDisruptionBudget',
      'cogvideox-worker',
      [{ op: 'replace', path: '/apiVersion', value: 'example.com/v1' }],
      /^no schema for example\.com\/v1 PodDisruptionBudget/,
    ],
    // The operators' objects (overlays/cluster), against their CRDs, closed to undeclared fields.
    [
      'a misspelt ScaledObject field (minReplicaCunt)',
      'ScaledObject',
      'captioning',
      [{ op: 'add', path: '/spec/minReplicaCunt', value: 1 }],
      /^\/spec must NOT have additional properties \{"additionalProperty":"minReplicaCunt"\}/,
    ],
    [
      "a KEDA trigger's lagThreshold unquoted (trigger metadata are strings)",
      'ScaledObject',
      'captioning',
      [{ op: 'replace', path: '/spec/triggers/0/metadata/lagThreshold', value: 4 }],
      /^\/spec\/triggers\/0\/metadata\/lagThreshold must be string/,
    ],
    [
      'a KafkaTopic partition count written as a string',
      'KafkaTopic',
      'f2f.edit.status',
      [{ op: 'replace', path: '/spec/partitions', value: '12' }],
      /^\/spec\/partitions must be integer/,
    ],
    [
      'a Kafka listener type Strimzi does not know',
      'Kafka',
      'f2f',
      [{ op: 'replace', path: '/spec/kafka/listeners/0/type', value: 'internel' }],
      /^\/spec\/kafka\/listeners\/0\/type must be equal to one of the allowed values/,
    ],
    [
      'a KafkaNodePool without roles',
      'KafkaNodePool',
      'brokers',
      [{ op: 'remove', path: '/spec/roles' }],
      /^\/spec must have required property 'roles'/,
    ],
    [
      "a misspelt key in a Postgres role's passwordSecret",
      'Cluster',
      'f2f-postgres',
      [{ op: 'add', path: '/spec/managed/roles/0/passwordSecret/nam', value: 'x' }],
      /^\/spec\/managed\/roles\/0\/passwordSecret must NOT have additional properties/,
    ],
    [
      'a Postgres instance count written as a string',
      'Cluster',
      'f2f-postgres',
      [{ op: 'replace', path: '/spec/instances', value: '3' }],
      /^\/spec\/instances must be integer/,
    ],
    [
      'a KEDA API version that does not exist',
      'ScaledObject',
      'captioning',
      [{ op: 'replace', path: '/apiVersion', value: 'keda.sh/v1' }],
      /^no CRD for keda\.sh\/v1 ScaledObject/,
    ],
  ];
  let broken: SchemaResult[] = [];
  beforeAll(() => {
    broken = validateSchemas(
      BROKEN.map(([what, kind, name, ops]) => {
        const original = [...baseObjects, ...clusterObjects].find(
          (o) => o.kind === kind && o.metadata.name === name,
        );
        if (!original) throw new Error(`${what}: no ${kind}/${name} in base or the cluster overlay`);
        const object = structuredClone(original);
        applyJsonPatch(object, ops);
        return { where: what, object };
      }),
    );
  });

  it.each(BROKEN.map(([what, , , , expected], i) => [what, i, expected] as const))(
    'rejects %s',
    (what, i, expected) => {
      expect(broken[i].where).toBe(what);
      expect(broken[i].errors).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
    },
  );

  it("rejects a broken copy of k8s/ on disk (containerPort: '50051'), which kustomize builds without a word", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'f2f-k8s-'));
    try {
      fs.cpSync(K8S, tmp, { recursive: true, filter: (src) => path.basename(src) !== '__tests__' });
      const file = path.join(tmp, 'base', 'cogvideox-worker.yaml');
      const text = fs.readFileSync(file, 'utf8');
      expect(text).toMatch(/containerPort: 50051\n/);
      fs.writeFileSync(file, text.replace(/containerPort: 50051\n/, "containerPort: '50051'\n"));
      expect(kustomize(path.join(tmp, 'base')).status).toBe(0);
      const checked = validateSchemas([
        ...manifestDocuments(tmp),
        ...buildDocuments('base', build(path.join(tmp, 'base'))),
        ...buildDocuments('local', build(path.join(tmp, 'overlays', 'local'))),
      ]);
      const error = expect.stringMatching(
        /^\/spec\/template\/spec\/containers\/0\/ports\/0\/containerPort must be integer/,
      );
      // The local overlay deletes the worker, so its build stays valid.
      expect(
        checked.filter((r) => r.errors.length > 0).map(({ where, errors }) => ({ where, errors })),
      ).toEqual([
        {
          where: `${path.join('base', 'cogvideox-worker.yaml')}#0 Deployment/cogvideox-worker`,
          errors: [error],
        },
        { where: 'build base: Deployment/cogvideox-worker', errors: [error] },
      ]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe.each(kustomizationDirs.map((d) => [path.relative(K8S, d), d]))('k8s build %s', (name, dir) => {
  // Built in beforeAll, so that a kustomization this resolver cannot build fails each test below
  // with its reason instead of the whole file.
  let objects: Manifest[] = [];
  beforeAll(() => {
    objects = build(dir);
  });
  /** The overlay without GPUs or the metric models volume; base and the cluster overlays have both. */
  const isLocal = name === path.join('overlays', 'local');

  it('puts every object in the frame2frame namespace, labelled part-of frame2frame', () => {
    for (const o of objects) {
      if (o.kind === 'Namespace') expect(o.metadata.name).toBe(NAMESPACE);
      else expect({ o: key(o), ns: o.metadata.namespace }).toEqual({ o: key(o), ns: NAMESPACE });
      expect({ o: key(o), partOf: o.metadata.labels?.['app.kubernetes.io/part-of'] }).toEqual({
        o: key(o),
        partOf: NAMESPACE,
      });
    }
  });

  it('gives every Deployment a selector that matches its pod labels, and a Service selecting it', () => {
    expect(deployments(objects).length).toBeGreaterThanOrEqual(6);
    for (const d of deployments(objects)) {
      const labels = d.spec.template.metadata?.labels;
      expect({ d: key(d), matches: selects(d.spec.selector?.matchLabels, labels) }).toEqual({
        d: key(d),
        matches: true,
      });
      expect({ d: key(d), name: labels?.['app.kubernetes.io/name'] }).toEqual({
        d: key(d),
        name: d.metadata.name,
      });
      const selectedBy = services(objects).filter((s) => selects(s.spec.selector, labels));
      expect({ d: key(d), services: selectedBy.length > 0 }).toEqual({ d: key(d), services: true });
    }
  });

  it('covers every Deployment by exactly one PodDisruptionBudget that lets a drain evict one pod at least', () => {
    for (const d of deployments(objects)) {
      const budgets = disruptionBudgets(objects).filter((b) =>
        selects(b.spec.selector?.matchLabels, d.spec.template.metadata?.labels),
      );
      expect({
        d: key(d),
        budgets: budgets.map((b) => typeof b.spec.maxUnavailable === 'number' && b.spec.maxUnavailable >= 1),
      }).toEqual({ d: key(d), budgets: [true] });
    }
  });

  it('has every Service, and every PodDisruptionBudget, select pods', () => {
    for (const s of services(objects)) {
      expect({ s: key(s), selectsPods: podsSelectedBy(objects, s).length > 0 }).toEqual({
        s: key(s),
        selectsPods: true,
      });
    }
    for (const b of disruptionBudgets(objects)) {
      const selected = deployments(objects).filter((d) =>
        selects(b.spec.selector?.matchLabels, d.spec.template.metadata?.labels),
      );
      expect({ b: key(b), selectsPods: selected.length > 0 }).toEqual({ b: key(b), selectsPods: true });
    }
  });

  it('gives every container an image, bounded resources and a non-root, locked-down securityContext', () => {
    for (const w of workloads(objects)) {
      const pod = w.spec.template.spec;
      for (const c of containersOf(w)) {
        const where = `${key(w)}/${c.name}`;
        expect({ where, image: c.image }).toEqual({
          where,
          image: expect.stringMatching(/^[^\s:]+(:[^\s]+)?$/),
        });
        for (const r of ['cpu', 'memory']) {
          const request = c.resources?.requests?.[r];
          const limit = c.resources?.limits?.[r];
          expect({ where, r, request, limit }).toEqual({
            where,
            r,
            request: expect.anything(),
            limit: expect.anything(),
          });
          expect({ where, r, requestWithinLimit: quantity(request!) <= quantity(limit!) }).toEqual({
            where,
            r,
            requestWithinLimit: true,
          });
        }
        // Extended resources (GPUs) can't be overcommitted: Kubernetes wants requests = limits.
        for (const r of Object.keys({ ...c.resources?.requests, ...c.resources?.limits })) {
          if (['cpu', 'memory', 'ephemeral-storage'].includes(r) || r.startsWith('hugepages-')) continue;
          const request = c.resources?.requests?.[r];
          const limit = c.resources?.limits?.[r];
          expect({
            where,
            r,
            equal: limit !== undefined && quantity(request ?? limit) === quantity(limit),
          }).toEqual({ where, r, equal: true });
        }
        const sc = c.securityContext;
        expect({ where, runAsNonRoot: sc?.runAsNonRoot }).toEqual({ where, runAsNonRoot: true });
        // The images say `USER node`; a non-numeric USER cannot be verified as non-root by the
        // kubelet, which then refuses to start the container unless a numeric uid is set here.
        const uid = sc?.runAsUser ?? pod.securityContext?.runAsUser;
        expect({ where, uid: typeof uid === 'number' && uid > 0 }).toEqual({ where, uid: true });
        expect({ where, allowPrivilegeEscalation: sc?.allowPrivilegeEscalation }).toEqual({
          where,
          allowPrivilegeEscalation: false,
        });
        expect({ where, drop: sc?.capabilities?.drop }).toEqual({
          where,
          drop: expect.arrayContaining(['ALL']),
        });
      }
    }
  });

  it('gives every Deployment container readiness and liveness probes (and any startup probe) on a port it declares', () => {
    for (const d of deployments(objects)) {
      for (const c of d.spec.template.spec.containers) {
        for (const probeName of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const) {
          const where = `${key(d)}/${c.name} ${probeName}`;
          const probe = c[probeName];
          if (probeName === 'startupProbe' && !probe) continue;
          expect({ where, probe: !!probe }).toEqual({ where, probe: true });
          const port = probe!.httpGet?.port ?? probe!.grpc?.port ?? probe!.tcpSocket?.port;
          const declared = c.ports?.some((p) =>
            typeof port === 'string' ? p.name === port : p.containerPort === port,
          );
          expect({ where, port, declared }).toEqual({ where, port, declared: true });
          if (probe!.httpGet)
            expect({ where, path: probe!.httpGet.path }).toEqual({ where, path: '/health' });
        }
      }
    }
  });

  it('references only ConfigMaps of the build (with the key) and only the documented Secret', () => {
    const configMaps = objects.filter((o) => o.kind === 'ConfigMap') as DataObject[];
    const cmHas = (name: string, key?: string) =>
      configMaps.some((cm) => cm.metadata.name === name && (key === undefined || key in (cm.data ?? {})));
    const secretHas = (name: string, key?: string) =>
      name === exampleSecret.metadata.name && (key === undefined || key in (exampleSecret.stringData ?? {}));
    for (const w of workloads(objects)) {
      for (const c of containersOf(w)) {
        const where = `${key(w)}/${c.name}`;
        for (const from of c.envFrom ?? []) {
          if (from.configMapRef)
            expect({ where, cm: from.configMapRef.name, ok: cmHas(from.configMapRef.name) }).toEqual({
              where,
              cm: from.configMapRef.name,
              ok: true,
            });
          if (from.secretRef)
            expect({ where, secret: from.secretRef.name, ok: secretHas(from.secretRef.name) }).toEqual({
              where,
              secret: from.secretRef.name,
              ok: true,
            });
        }
        for (const e of c.env ?? []) {
          const cm = e.valueFrom?.configMapKeyRef;
          const sk = e.valueFrom?.secretKeyRef;
          if (cm)
            expect({ where, env: e.name, ok: cmHas(cm.name, cm.key) }).toEqual({
              where,
              env: e.name,
              ok: true,
            });
          if (sk)
            expect({ where, env: e.name, ok: secretHas(sk.name, sk.key) }).toEqual({
              where,
              env: e.name,
              ok: true,
            });
        }
      }
    }
  });

  it('mounts only declared volumes and claims, the blob store at BLOB_DIR, and a writable /tmp', () => {
    const claims = objects.filter((o) => o.kind === 'PersistentVolumeClaim').map((o) => o.metadata.name);
    for (const w of workloads(objects)) {
      const volumes = w.spec.template.spec.volumes ?? [];
      for (const v of volumes) {
        if (v.persistentVolumeClaim)
          expect({
            w: key(w),
            claim: v.persistentVolumeClaim.claimName,
            exists: claims.includes(v.persistentVolumeClaim.claimName),
          }).toEqual({ w: key(w), claim: v.persistentVolumeClaim.claimName, exists: true });
      }
      for (const c of containersOf(w)) {
        const where = `${key(w)}/${c.name}`;
        for (const m of c.volumeMounts ?? [])
          expect({ where, mount: m.name, declared: volumes.some((v) => v.name === m.name) }).toEqual({
            where,
            mount: m.name,
            declared: true,
          });
        const blobMounts = (c.volumeMounts ?? []).filter((m) =>
          volumes.some((v) => v.name === m.name && v.persistentVolumeClaim?.claimName === 'f2f-blobs'),
        );
        for (const m of blobMounts)
          expect({ where, mountPath: m.mountPath }).toEqual({
            where,
            mountPath: environment(objects, c).BLOB_DIR,
          });
        if (c.securityContext?.readOnlyRootFilesystem)
          expect({ where, tmp: (c.volumeMounts ?? []).some((m) => m.mountPath === '/tmp') }).toEqual({
            where,
            tmp: true,
          });
      }
    }
  });

  it('gives the services that keep blobs the shared blob volume', () => {
    for (const svc of ['edits', 'video-generation', 'metrics']) {
      const d = deployments(objects).find((x) => x.metadata.name === svc)!;
      const claims = (d.spec.template.spec.volumes ?? []).map((v) => v.persistentVolumeClaim?.claimName);
      expect({ svc, claims }).toEqual({ svc, claims: expect.arrayContaining(['f2f-blobs']) });
    }
  });

  it('has each service listen on PORT = its containerPort, where every Service selecting it lands', () => {
    for (const d of deployments(objects)) {
      for (const c of d.spec.template.spec.containers) {
        const where = `${key(d)}/${c.name}`;
        expect({ where, ports: c.ports?.length }).toEqual({ where, ports: 1 });
        expect({ where, PORT: envOf(c, 'PORT') }).toEqual({ where, PORT: String(c.ports![0].containerPort) });
      }
    }
    for (const s of services(objects)) {
      for (const port of s.spec.ports) {
        for (const d of podsSelectedBy(objects, s)) {
          const landsOn = d.spec.template.spec.containers.map((c) => targetPortIn(c, port)).find((p) => p);
          const PORT = d.spec.template.spec.containers.map((c) => envOf(c, 'PORT')).find((p) => p);
          expect({ s: key(s), port: port.port, d: key(d), landsOn }).toEqual({
            s: key(s),
            port: port.port,
            d: key(d),
            landsOn: Number(PORT),
          });
        }
        expect({ s: key(s), name: port.name }).toEqual({
          s: key(s),
          name: expect.stringMatching(/^(http|grpc)$/),
        });
      }
    }
  });

  /** A Service of this build with that port; throws with a readable message otherwise. */
  function serviceAt(host: string, port: number): Service {
    const [svcName, ns] = host.split('.');
    if (ns !== undefined) expect(ns).toBe(NAMESPACE);
    const s = services(objects).find((x) => x.metadata.name === svcName);
    if (!s) throw new Error(`no Service "${svcName}" in ${name}`);
    if (!s.spec.ports.some((p) => p.port === port)) throw new Error(`Service ${svcName} has no port ${port}`);
    return s;
  }

  it("points the gateway's subgraph URLs at subgraph Services whose pods listen there", () => {
    const gateway = deployments(objects).find((d) => d.metadata.name === 'gateway')!.spec.template.spec
      .containers[0];
    for (const [variable, subgraph] of [
      ['EDITS_URL', 'edits'],
      ['CAPTIONING_URL', 'captioning'],
      ['FRAME_SELECTION_URL', 'frame-selection'],
      ['METRICS_URL', 'metrics'],
      ['WEBHOOKS_URL', 'webhooks'],
    ]) {
      const url = new URL(envOf(gateway, variable)!);
      expect({ variable, path: url.pathname, host: url.hostname.split('.')[0] }).toEqual({
        variable,
        path: '/graphql',
        host: subgraph,
      });
      const port = Number(url.port || 80);
      const s = serviceAt(url.hostname, port);
      const pods = podsSelectedBy(objects, s);
      expect(pods.map((p) => p.metadata.name)).toEqual([subgraph]);
      const landsOn = targetPortIn(
        pods[0].spec.template.spec.containers[0],
        s.spec.ports.find((p) => p.port === port)!,
      );
      expect({ variable, landsOn }).toEqual({
        variable,
        landsOn: Number(envOf(pods[0].spec.template.spec.containers[0], 'PORT')),
      });
    }
  });

  /** The Services GENERATOR_ADDRESSES names (`host:port,...` or one `dns:///host:port`), with the port. */
  function generatorServices(): { address: string; dns: boolean; service: Service; port: number }[] {
    const vg = deployments(objects).find((d) => d.metadata.name === 'video-generation')!;
    return envOf(vg.spec.template.spec.containers[0], 'GENERATOR_ADDRESSES')!
      .split(',')
      .map((a) => a.trim())
      .map((address) => {
        const m = /^(dns:\/\/\/)?([a-z0-9.-]+):(\d+)$/.exec(address);
        if (!m) throw new Error(`GENERATOR_ADDRESSES entry "${address}" is not [dns:///]host:port`);
        // A name inside the cluster: <service>[.<namespace>[.svc[.<cluster domain>]]].
        expect({
          address,
          inCluster: /^[a-z0-9-]+(\.[a-z0-9-]+(\.svc(\.[a-z0-9.-]+)?)?)?$/.test(m[2]),
        }).toEqual({
          address,
          inCluster: true,
        });
        return { address, dns: !!m[1], service: serviceAt(m[2], Number(m[3])), port: Number(m[3]) };
      });
  }

  it("points video-generation's GENERATOR_ADDRESSES at the gRPC workers' headless Service", () => {
    const vg = deployments(objects).find((d) => d.metadata.name === 'video-generation')!.spec.template.spec;
    const named = generatorServices();
    expect(named.length).toBeGreaterThan(0);
    for (const { address, dns, service: s, port } of named) {
      expect(s.spec.ports.find((p) => p.port === port)!.name).toBe('grpc');
      expect({ address, workers: podsSelectedBy(objects, s).length > 0 }).toEqual({ address, workers: true });
      // dns:/// resolves the name to one address per pod: only a headless Service has such records
      // (a ClusterIP Service's name is one virtual IP, and every call would pin to one worker).
      if (dns) expect({ address, clusterIP: s.spec.clusterIP }).toEqual({ address, clusterIP: 'None' });
    }
    // A generation in flight may take until its deadline; a stopped pod must be allowed to finish it.
    const deadlineS = Number(envOf(vg.containers[0], 'GENERATION_DEADLINE_MS') ?? 20 * 60 * 1000) / 1000;
    expect(vg.terminationGracePeriodSeconds).toBeGreaterThan(deadlineS);
  });

  it("runs images built from services/<name>/Dockerfile (or a worker's), and commands whose sources exist", () => {
    for (const w of workloads(objects)) {
      for (const c of containersOf(w)) {
        const m = /^ghcr\.io\/frame2frame\/([a-z0-9-]+):[\w.-]+$/.exec(c.image ?? '');
        expect({ image: c.image, ours: !!m }).toEqual({ image: c.image, ours: true });
        const dockerfile = WORKER_DOCKERFILES[m![1]] ?? path.join('services', m![1], 'Dockerfile');
        expect({ dockerfile, exists: fs.existsSync(path.join(REPO, dockerfile)) }).toEqual({
          dockerfile,
          exists: true,
        });
        for (const arg of [...(c.command ?? []), ...(c.args ?? [])].filter((a) =>
          /\/dist\/.*\.js$/.test(a),
        )) {
          const source = arg.replace('/dist/', '/src/').replace(/\.js$/, '.ts');
          expect({ arg, source, exists: fs.existsSync(path.join(REPO, source)) }).toEqual({
            arg,
            source,
            exists: true,
          });
        }
      }
      if (w.kind === 'Deployment') {
        // Deployments run their own service's image, whose default command starts that service.
        expect(w.spec.template.spec.containers[0].image).toMatch(new RegExp(`/${w.metadata.name}:`));
      }
    }
    const migrate = workloads(objects).find((w) => w.metadata.name === 'db-migrate')!;
    expect(migrate.kind).toBe('Job');
    expect(migrate.spec.template.spec.containers[0].command).toEqual([
      'node',
      'libs/database/dist/cli.js',
      'migrate',
    ]);
  });

  it('gives each service an environment its own config schema accepts, naming only variables it reads', async () => {
    for (const d of deployments(objects)) {
      const c = d.spec.template.spec.containers[0];
      if (PYTHON_WORKER_CONFIGS[d.metadata.name]) continue; // the next test
      const schema = await configSchemaOf(d.metadata.name);
      const unknown = (c.env ?? []).map((e) => e.name).filter((n) => !(n in schema.shape));
      expect({ d: key(d), unknown }).toEqual({ d: key(d), unknown: [] });
      // Paths in the container, where a schema checks that they exist: the image holds the repository
      // at /app, and a mounted volume's directory exists once mounted (its contents are checked by
      // the service at start-up, not here).
      const env = Object.fromEntries(
        Object.entries(environment(objects, c)).map(([k, v]) => {
          if (v.startsWith('/app/')) return [k, path.join(REPO, v.slice('/app/'.length))];
          const mounted = (c.volumeMounts ?? []).some(
            (m) => v === m.mountPath || v.startsWith(`${m.mountPath}/`),
          );
          return [k, mounted && !fs.existsSync(v) ? os.tmpdir() : v];
        }),
      );
      const result = schema.safeParse(env);
      const issues = result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
      expect({ d: key(d), issues }).toEqual({ d: key(d), issues: [] });
    }
  });

  it("gives the metrics service its networks: the models volume read-only (base, cluster), the image's fixtures locally", () => {
    const d = deployments(objects).find((x) => x.metadata.name === 'metrics')!;
    const c = d.spec.template.spec.containers[0];
    const dir = envOf(c, 'METRIC_MODELS_DIR');
    if (!isLocal) {
      const mount = c.volumeMounts?.find((m) => m.mountPath === dir);
      const volume = d.spec.template.spec.volumes?.find((v) => v.name === mount?.name);
      expect({ readOnly: mount?.readOnly, claim: volume?.persistentVolumeClaim }).toEqual({
        readOnly: true,
        claim: { claimName: 'metric-models', readOnly: true },
      });
    } else {
      expect(fs.existsSync(path.join(REPO, dir!.replace(/^\/app\//, ''), 'manifest.json'))).toBe(true);
      expect(
        objects.some((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === 'metric-models'),
      ).toBe(false);
    }
    expect(envOf(c, 'METRIC_CLIP_IMAGE_PRECISION')).toBe('fp32');
  });

  it('gives the gateway and every subgraph TENANT_CONTEXT_SECRET from the Secret, never as a literal', async () => {
    const subgraphs = (
      JSON.parse(fs.readFileSync(path.join(REPO, 'services/gateway/subgraphs.json'), 'utf8')) as {
        name: string;
      }[]
    ).map((s) => s.name);
    const signers = ['gateway', ...subgraphs];
    const found: string[] = [];
    for (const d of deployments(objects)) {
      if (PYTHON_WORKER_CONFIGS[d.metadata.name]) continue;
      const schema = await configSchemaOf(d.metadata.name);
      if (!('TENANT_CONTEXT_SECRET' in schema.shape)) continue;
      const c = d.spec.template.spec.containers[0];
      const env = c.env?.find((e) => e.name === 'TENANT_CONTEXT_SECRET');
      expect({ d: key(d), value: env?.value, from: env?.valueFrom?.secretKeyRef }).toEqual({
        d: key(d),
        value: undefined,
        from: { name: exampleSecret.metadata.name, key: 'TENANT_CONTEXT_SECRET' },
      });
      found.push(d.metadata.name);
    }
    expect([...new Set(found)].sort()).toEqual([...signers].sort());
    expect(exampleSecret.stringData?.TENANT_CONTEXT_SECRET).toMatch(/CHANGE-ME/);
    expect(exampleSecret.stringData?.TENANT_CONTEXT_SECRET?.length).toBeGreaterThanOrEqual(32);
  });

  it('gives each Python worker only variables its config.py reads, with values its load_config accepts', () => {
    for (const d of deployments(objects)) {
      const config = PYTHON_WORKER_CONFIGS[d.metadata.name];
      if (!config) continue;
      const file = path.join(REPO, config.file);
      const c = d.spec.template.spec.containers[0];
      const { names } = pythonConfigVariables(file, config.fallback);
      const unknown = (c.env ?? []).map((e) => e.name).filter((n) => !names.includes(n));
      expect({ d: key(d), unknown }).toEqual({ d: key(d), unknown: [] });
      // envFrom would hand it the services' whole ConfigMap.
      expect({ d: key(d), envFrom: c.envFrom ?? [] }).toEqual({ d: key(d), envFrom: [] });
      // Its own validation (skipped without Python or without config.py's load_config).
      const issues = pythonConfigIssues(file, environment(objects, c));
      if (issues !== undefined) expect({ d: key(d), issues }).toEqual({ d: key(d), issues: [] });
    }
  });

  it('runs the CogVideoX GPU workers in base, and none in the local overlay (the preview generator instead)', () => {
    const names = gpuWorkers(objects).map((d) => d.metadata.name);
    const claims = objects.filter((o) => o.kind === 'PersistentVolumeClaim').map((o) => o.metadata.name);
    const budgets = disruptionBudgets(objects).map((b) => b.metadata.name);
    if (!isLocal) {
      expect({ names, weights: claims.includes('cogvideox-weights') }).toEqual({
        names: ['cogvideox-worker'],
        weights: true,
      });
    }
    if (isLocal) {
      expect({ names, claims, budgets }).toEqual({
        names: [],
        claims: expect.not.arrayContaining(['cogvideox-weights']),
        budgets: expect.not.arrayContaining(['cogvideox-worker']),
      });
      const workers = services(objects).find((s) => s.metadata.name === 'video-generator-workers')!;
      expect(podsSelectedBy(objects, workers).map((d) => d.metadata.name)).toEqual(['preview-generator']);
    }
  });

  it('gives each GPU worker exactly one GPU, a toleration of the GPU taint and a nodeSelector for the pool', () => {
    for (const d of gpuWorkers(objects)) {
      const pod = d.spec.template.spec;
      expect({
        d: key(d),
        containers: pod.containers.length,
        initContainers: pod.initContainers ?? [],
      }).toEqual({
        d: key(d),
        containers: 1,
        initContainers: [],
      });
      const c = pod.containers[0];
      expect({ d: key(d), requests: gpus(c, 'requests'), limits: gpus(c, 'limits') }).toEqual({
        d: key(d),
        requests: 1,
        limits: 1,
      });
      const tolerated = (pod.tolerations ?? []).some(
        (t) =>
          t.key === GPU &&
          (t.operator === 'Exists' || t.value !== undefined) &&
          (!t.effect || t.effect === 'NoSchedule'),
      );
      expect({ d: key(d), tolerated }).toEqual({ d: key(d), tolerated: true });
      expect({ d: key(d), nodeSelector: Object.keys(pod.nodeSelector ?? {}).length > 0 }).toEqual({
        d: key(d),
        nodeSelector: true,
      });
    }
  });

  it("mounts each GPU worker's weights read-only at MODEL_DIR's parent, from a ReadOnlyMany claim", () => {
    for (const d of gpuWorkers(objects)) {
      const pod = d.spec.template.spec;
      const c = pod.containers[0];
      const modelDir = envOf(c, 'MODEL_DIR');
      expect({ d: key(d), modelDir }).toEqual({
        d: key(d),
        modelDir: expect.stringMatching(/^\/[^/]+.*\/[^/]+$/),
      });
      const mountPath = path.posix.dirname(modelDir!);
      const mount = c.volumeMounts?.find((m) => m.mountPath === mountPath);
      const volume = pod.volumes?.find((v) => v.name === mount?.name);
      const claim = objects.find(
        (o) =>
          o.kind === 'PersistentVolumeClaim' && o.metadata.name === volume?.persistentVolumeClaim?.claimName,
      ) as Claim | undefined;
      expect({
        d: key(d),
        mountPath,
        readOnlyMount: mount?.readOnly,
        readOnlyClaim: volume?.persistentVolumeClaim?.readOnly,
        accessModes: claim?.spec.accessModes,
      }).toEqual({
        d: key(d),
        mountPath,
        readOnlyMount: true,
        readOnlyClaim: true,
        accessModes: ['ReadOnlyMany'],
      });
    }
  });

  it('probes each GPU worker with gRPC health on its grpc port, with a startup budget for loading the weights', () => {
    for (const d of gpuWorkers(objects)) {
      const c = d.spec.template.spec.containers[0];
      const grpcPort = c.ports?.find((p) => p.name === 'grpc')?.containerPort;
      expect({ d: key(d), grpcPort }).toEqual({ d: key(d), grpcPort: expect.any(Number) });
      for (const probeName of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const) {
        const where = `${key(d)} ${probeName}`;
        const probe = c[probeName];
        expect({ where, grpc: probe?.grpc?.port, other: !!(probe?.httpGet ?? probe?.tcpSocket) }).toEqual({
          where,
          grpc: grpcPort,
          other: false,
        });
      }
      const startup = probeBudget(c.startupProbe!);
      expect({ d: key(d), startup, enough: startup >= MIN_STARTUP_BUDGET_S }).toEqual({
        d: key(d),
        startup,
        enough: true,
      });
      // A rollout whose new pod is still loading must not be reported as failed (600 s by default).
      const progressDeadline = d.spec.progressDeadlineSeconds ?? 600;
      expect({ d: key(d), progressDeadline, longer: progressDeadline > startup }).toEqual({
        d: key(d),
        progressDeadline,
        longer: true,
      });
    }
  });

  it('lets each GPU worker drain: terminationGracePeriodSeconds > DRAIN_TIMEOUT_S and the stop that may follow', () => {
    for (const d of gpuWorkers(objects)) {
      const pod = d.spec.template.spec;
      const drain = Number(envOf(pod.containers[0], 'DRAIN_TIMEOUT_S'));
      const grace = pod.terminationGracePeriodSeconds ?? 30;
      expect({ d: key(d), drain, set: Number.isFinite(drain) && drain > 0 }).toEqual({
        d: key(d),
        drain,
        set: true,
      });
      expect({ d: key(d), grace, drain, enough: grace > drain + DRAIN_STOP_WAIT_S }).toEqual({
        d: key(d),
        grace,
        drain,
        enough: true,
      });
    }
  });

  it('covers each GPU worker by one PodDisruptionBudget and by the headless Service video-generation resolves', () => {
    const named = generatorServices().map((g) => g.service.metadata.name);
    for (const d of gpuWorkers(objects)) {
      const labels = d.spec.template.metadata?.labels;
      const budgets = disruptionBudgets(objects).filter((b) => selects(b.spec.selector?.matchLabels, labels));
      expect({
        d: key(d),
        budgets: budgets.map((b) => typeof b.spec.maxUnavailable === 'number' && b.spec.maxUnavailable >= 1),
      }).toEqual({ d: key(d), budgets: [true] });
      const headless = services(objects)
        .filter((s) => s.spec.clusterIP === 'None' && selects(s.spec.selector, labels))
        .map((s) => s.metadata.name);
      expect({ d: key(d), headless: headless.filter((s) => named.includes(s)).length }).toEqual({
        d: key(d),
        headless: 1,
      });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The cluster overlays: what they add to base (Kafka, Postgres, Ingress, NetworkPolicies,
// autoscaling), checked against the code that uses it.

interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}
interface Peer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}
interface PolicyPort {
  protocol?: string;
  port?: number | string;
}
interface NetworkPolicy extends Manifest {
  spec: {
    podSelector: LabelSelector;
    policyTypes?: string[];
    ingress?: { from?: Peer[]; ports?: PolicyPort[] }[];
    egress?: { to?: Peer[]; ports?: PolicyPort[] }[];
  };
}
interface ScaledObject extends Manifest {
  spec: {
    scaleTargetRef: { name: string; kind?: string };
    minReplicaCount?: number;
    maxReplicaCount?: number;
    triggers: { type: string; metadata: Record<string, string> }[];
  };
}
interface Hpa extends Manifest {
  spec: { scaleTargetRef: { kind: string; name: string }; minReplicas?: number; maxReplicas: number };
}
interface KafkaCluster extends Manifest {
  spec: { kafka: { listeners: { name: string; port: number; tls: boolean; networkPolicyPeers?: Peer[] }[] } };
}
interface NodePool extends Manifest {
  spec: { replicas: number; roles: string[] };
}
interface KafkaTopicObject extends Manifest {
  spec: {
    topicName?: string;
    partitions: number;
    replicas: number;
    config?: Record<string, string | number>;
  };
}
interface PostgresCluster extends Manifest {
  spec: {
    instances: number;
    enableSuperuserAccess?: boolean;
    bootstrap?: { initdb?: { database?: string } };
    managed?: {
      roles?: { name: string; ensure?: string; login?: boolean; passwordSecret?: { name: string } }[];
    };
  };
}
interface IngressObject extends Manifest {
  metadata: Meta & { annotations?: Record<string, string> };
  spec: {
    rules: {
      host?: string;
      http: {
        paths: {
          path: string;
          backend: { service: { name: string; port: { name?: string; number?: number } } };
        }[];
      };
    }[];
  };
}

const ofKind = <T extends Manifest>(objects: Manifest[], kind: string): T[] =>
  objects.filter((o) => o.kind === kind) as T[];

/** Kubernetes label selector semantics (matchLabels and In/NotIn/Exists/DoesNotExist); {} selects all. */
function selectorMatches(selector: LabelSelector, labels: Labels): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every(({ key: k, operator, values }) => {
    if (operator === 'In') return k in labels && (values ?? []).includes(labels[k]);
    if (operator === 'NotIn') return !(k in labels) || !(values ?? []).includes(labels[k]);
    if (operator === 'Exists') return k in labels;
    if (operator === 'DoesNotExist') return !(k in labels);
    throw new Error(`label selector operator ${operator}`);
  });
  return byLabels && byExpressions;
}

/** Something that opens or accepts connections: a pod (namespace, labels, ports) or an address. */
interface Endpoint {
  name: string;
  namespace?: string;
  labels?: Labels;
  ports?: { name?: string; containerPort: number }[];
  ip?: string;
}

function ipInCidr(ip: string, cidr: string): boolean {
  const toInt = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  const [base, bits] = cidr.split('/');
  const block = 2 ** (32 - Number(bits));
  return Math.floor(toInt(ip) / block) === Math.floor(toInt(base) / block);
}

function peerMatches(peer: Peer, e: Endpoint, policyNamespace: string): boolean {
  if (peer.ipBlock) {
    // Pods have cluster addresses, which these policies' ipBlocks leave out: only addresses match.
    return (
      e.ip !== undefined &&
      ipInCidr(e.ip, peer.ipBlock.cidr) &&
      !(peer.ipBlock.except ?? []).some((c) => ipInCidr(e.ip!, c))
    );
  }
  if (e.namespace === undefined) return false;
  const namespaceOk = peer.namespaceSelector
    ? selectorMatches(peer.namespaceSelector, { 'kubernetes.io/metadata.name': e.namespace })
    : e.namespace === policyNamespace;
  return namespaceOk && (!peer.podSelector || selectorMatches(peer.podSelector, e.labels ?? {}));
}

/** Whether a rule's ports admit TCP to `port` of `target` (a named port is the target pod's). */
function portsAdmit(ports: PolicyPort[] | undefined, target: Endpoint, port: number): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== 'TCP') return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'number') return p.port === port;
    return target.ports?.some((c) => c.name === p.port && c.containerPort === port) ?? false;
  });
}

/**
 * Whether a TCP connection from `from` to `port` of `to` is allowed by the NetworkPolicies (which
 * all live in the frame2frame namespace): by the egress policies selecting `from`, if any, and by
 * the ingress policies selecting `to`, if any.
 */
function connectionAllowed(policies: NetworkPolicy[], from: Endpoint, to: Endpoint, port: number): boolean {
  const types = (p: NetworkPolicy) => p.spec.policyTypes ?? ['Ingress', ...(p.spec.egress ? ['Egress'] : [])];
  const selecting = (e: Endpoint, type: string) =>
    e.namespace === undefined
      ? []
      : policies.filter(
          (p) =>
            (p.metadata.namespace ?? NAMESPACE) === e.namespace &&
            types(p).includes(type) &&
            selectorMatches(p.spec.podSelector, e.labels ?? {}),
        );
  const egress = selecting(from, 'Egress');
  const egressOk =
    egress.length === 0 ||
    egress.some((p) =>
      (p.spec.egress ?? []).some(
        (r) =>
          (!r.to || r.to.length === 0 || r.to.some((peer) => peerMatches(peer, to, p.metadata.namespace!))) &&
          portsAdmit(r.ports, to, port),
      ),
    );
  const ingress = selecting(to, 'Ingress');
  const ingressOk =
    ingress.length === 0 ||
    ingress.some((p) =>
      (p.spec.ingress ?? []).some(
        (r) =>
          (!r.from ||
            r.from.length === 0 ||
            r.from.some((peer) => peerMatches(peer, from, p.metadata.namespace!))) &&
          portsAdmit(r.ports, to, port),
      ),
    );
  return egressOk && ingressOk;
}

/** The consumer groups of services/<name>: `<prefix><serviceName>`, and the topics their handlers take. */
async function consumersInCode(): Promise<Record<string, string[]>> {
  const { Topic } = (await import(path.join(REPO, 'libs', 'contracts', 'src', 'topics.ts'))) as {
    Topic: Record<string, string>;
  };
  const sources = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return ['__tests__', 'testing', 'generated'].includes(e.name) ? [] : sources(p);
      return /\.ts$/.test(e.name) && !/\.(int-)?spec\.ts$/.test(e.name) ? [p] : [];
    });
  const out: Record<string, string[]> = {};
  for (const service of fs.readdirSync(path.join(REPO, 'services'))) {
    const src = path.join(REPO, 'services', service, 'src');
    if (!fs.existsSync(path.join(src, 'main.ts'))) continue;
    const name = /serviceName:\s*'([^']+)'/.exec(fs.readFileSync(path.join(src, 'main.ts'), 'utf8'))?.[1];
    const topics = new Set(
      sources(src).flatMap((f) =>
        [...fs.readFileSync(f, 'utf8').matchAll(/\.on\(\s*Topic\.(\w+)/g)].map((m) => Topic[m[1]]),
      ),
    );
    if (name && topics.size > 0) out[name] = [...topics].sort();
  }
  return out;
}

const clusterDirs = kustomizationDirs.filter((d) => build(d).some((o) => o.kind === 'Kafka'));

describe('k8s cluster overlays', () => {
  it('are overlays/cluster and overlays/cluster-gpu-scale-to-zero', () => {
    expect(clusterDirs.map((d) => path.relative(K8S, d)).sort()).toEqual([
      path.join('overlays', 'cluster'),
      path.join('overlays', 'cluster-gpu-scale-to-zero'),
    ]);
  });
});

describe.each(clusterDirs.map((d) => [path.relative(K8S, d), d]))('k8s cluster %s', (name, dir) => {
  let objects: Manifest[] = [];
  let kafka: KafkaCluster;
  let config: Record<string, string>;
  beforeAll(() => {
    objects = build(dir);
    [kafka] = ofKind<KafkaCluster>(objects, 'Kafka');
    config = (objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'f2f-config') as DataObject)
      .data!;
  });
  const plainListener = () => kafka.spec.kafka.listeners.find((l) => !l.tls)!;
  const brokerCount = () =>
    ofKind<NodePool>(objects, 'KafkaNodePool')
      .filter(
        (p) =>
          p.metadata.labels?.['strimzi.io/cluster'] === kafka.metadata.name &&
          p.spec.roles.includes('broker'),
      )
      .reduce((n, p) => n + p.spec.replicas, 0);
  const topics = () =>
    ofKind<KafkaTopicObject>(objects, 'KafkaTopic').map((t) => ({
      ...t.spec,
      name: t.spec.topicName ?? t.metadata.name,
      labels: t.metadata.labels,
    }));

  it('runs one Kafka in KRaft mode from node pools: an odd number of controllers (3+), brokers for every replica', () => {
    expect(ofKind(objects, 'Kafka')).toHaveLength(1);
    const pools = ofKind<NodePool>(objects, 'KafkaNodePool');
    expect(pools.every((p) => p.metadata.labels?.['strimzi.io/cluster'] === kafka.metadata.name)).toBe(true);
    const controllers = pools
      .filter((p) => p.spec.roles.includes('controller'))
      .reduce((n, p) => n + p.spec.replicas, 0);
    expect({ controllers, odd: controllers % 2 === 1 && controllers >= 3 }).toEqual({
      controllers,
      odd: true,
    });
    expect(brokerCount()).toBeGreaterThanOrEqual(3);
  });

  it("points KAFKA_BROKERS at the Kafka's bootstrap Service and plain listener (the services speak neither TLS nor SASL)", () => {
    expect(config.KAFKA_BROKERS).toBe(`${kafka.metadata.name}-kafka-bootstrap:${plainListener().port}`);
  });

  it('declares every topic of libs/contracts as a KafkaTopic of that Kafka, with the prefix, partitions and retention', async () => {
    const { ALL_TOPICS, TOPIC_PARTITIONS } = (await import(
      path.join(REPO, 'libs', 'contracts', 'src', 'topics.ts')
    )) as { ALL_TOPICS: string[]; TOPIC_PARTITIONS: number };
    const declared = topics();
    expect(declared.map((t) => t.name).sort()).toEqual(
      ALL_TOPICS.map((t) => `${config.KAFKA_TOPIC_PREFIX}${t}`).sort(),
    );
    for (const t of declared) {
      const minIsr = Number(t.config?.['min.insync.replicas'] ?? 1);
      expect({
        t: t.name,
        cluster: t.labels?.['strimzi.io/cluster'],
        // The services create a missing topic with TOPIC_PARTITIONS, and partitions never shrink.
        partitions: t.partitions >= TOPIC_PARTITIONS,
        replicas: t.replicas >= 2 && t.replicas <= brokerCount(),
        // One broker may be down (a rolling update) and writes with acks=all still succeed.
        minIsr: minIsr < t.replicas,
        retention: Number(t.config?.['retention.ms']) > 0,
      }).toEqual({
        t: t.name,
        cluster: kafka.metadata.name,
        partitions: true,
        replicas: true,
        minIsr: true,
        retention: true,
      });
    }
  });

  it('gives each service that keeps data a managed Postgres role, named as the example Secret names it, at the -rw Service', () => {
    const [pg] = ofKind<PostgresCluster>(objects, 'Cluster');
    expect(ofKind(objects, 'Cluster')).toHaveLength(1);
    const owners = fs
      .readdirSync(path.join(REPO, 'services'))
      .filter((s) => fs.existsSync(path.join(REPO, 'services', s, 'prisma', 'migrations')));
    const roles = pg.spec.managed?.roles ?? [];
    const expected = owners.map((s) => {
      const url = new URL(exampleSecret.stringData![`${s.replace(/-/g, '_').toUpperCase()}_DATABASE_URL`]);
      return { role: url.username, host: url.hostname, database: url.pathname.slice(1) };
    });
    expect(roles.map((r) => r.name).sort()).toEqual(expected.map((e) => e.role).sort());
    for (const e of expected) {
      expect({ ...e, host: e.host, database: e.database }).toEqual({
        ...e,
        host: `${pg.metadata.name}-rw`,
        database: pg.spec.bootstrap?.initdb?.database,
      });
    }
    for (const r of roles)
      expect({ role: r.name, ensure: r.ensure, login: r.login, secret: r.passwordSecret?.name }).toEqual({
        role: r.name,
        ensure: 'present',
        login: true,
        secret: expect.any(String),
      });
    expect(new Set(roles.map((r) => r.passwordSecret?.name)).size).toBe(roles.length);
    // db-migrate creates schemas for the roles and closes public: it runs as the superuser.
    expect(pg.spec.enableSuperuserAccess).toBe(true);
    expect(new URL(exampleSecret.stringData!.DATABASE_URL).hostname).toBe(`${pg.metadata.name}-rw`);
    expect(pg.spec.instances).toBeGreaterThanOrEqual(2);
  });

  it("scales each Kafka consumer with KEDA on its own group's lag, one trigger per topic its handlers take", async () => {
    const consumers = await consumersInCode();
    expect(Object.keys(consumers).sort()).toEqual(
      ['captioning', 'edits', 'frame-selection', 'metrics', 'video-generation', 'webhooks'].sort(),
    );
    const partitions = Object.fromEntries(topics().map((t) => [t.name, t.partitions]));
    const prefix = config.KAFKA_TOPIC_PREFIX;
    for (const [service, consumed] of Object.entries(consumers)) {
      const scaled = ofKind<ScaledObject>(objects, 'ScaledObject').filter(
        (s) => s.spec.scaleTargetRef.name === service,
      );
      expect({ service, scaledObjects: scaled.length }).toEqual({ service, scaledObjects: 1 });
      const kafkaTriggers = scaled[0].spec.triggers.filter((t) => t.type === 'kafka');
      expect({
        service,
        pairs: kafkaTriggers.map((t) => `${t.metadata.consumerGroup} ${t.metadata.topic}`).sort(),
        bootstrap: [...new Set(kafkaTriggers.map((t) => t.metadata.bootstrapServers))],
        thresholds: kafkaTriggers.every((t) => Number(t.metadata.lagThreshold) > 0),
      }).toEqual({
        service,
        pairs: consumed.map((t) => `${prefix}${service} ${prefix}${t}`).sort(),
        bootstrap: [`${kafka.metadata.name}-kafka-bootstrap.${NAMESPACE}.svc:${plainListener().port}`],
        thresholds: true,
      });
      // A consumer beyond its topics' partitions gets none and idles.
      const { minReplicaCount: min = 0, maxReplicaCount: max = 100 } = scaled[0].spec;
      const fewest = Math.min(...consumed.map((t) => partitions[`${prefix}${t}`]));
      expect({ service, min, max, ok: min >= 1 && min <= max && max <= fewest }).toEqual({
        service,
        min,
        max,
        ok: true,
      });
    }
  });

  it('scales the GPU workers on f2f_gpu_pool_queued (to zero only in the scale-to-zero overlay), and the gateway on CPU', () => {
    const [gpu] = gpuWorkers(objects);
    const scaled = ofKind<ScaledObject>(objects, 'ScaledObject').find(
      (s) => s.spec.scaleTargetRef.name === gpu.metadata.name,
    )!;
    const prometheus = scaled.spec.triggers.filter((t) => t.type === 'prometheus');
    expect(prometheus).toHaveLength(1);
    expect(prometheus[0].metadata.query).toMatch(/\bf2f_gpu_pool_queued\b/);
    expect(Number(prometheus[0].metadata.threshold)).toBeGreaterThan(0);
    expect(scaled.spec.minReplicaCount).toBe(name.endsWith('scale-to-zero') ? 0 : 1);
    expect(scaled.spec.maxReplicaCount).toBeGreaterThan(1);
    const [hpa] = ofKind<Hpa>(objects, 'HorizontalPodAutoscaler').filter(
      (h) => h.spec.scaleTargetRef.name === 'gateway',
    );
    expect(hpa.spec).toMatchObject({ scaleTargetRef: { kind: 'Deployment' }, minReplicas: 2 });
  });

  it('gives every Deployment exactly one autoscaler (KEDA or HPA) and no replicas field for `kubectl apply` to reset', () => {
    const targets = [
      ...ofKind<ScaledObject>(objects, 'ScaledObject').map((s) => s.spec.scaleTargetRef.name),
      ...ofKind<Hpa>(objects, 'HorizontalPodAutoscaler').map((h) => h.spec.scaleTargetRef.name),
    ];
    for (const d of deployments(objects)) {
      const n = d.metadata.name;
      expect({ d: n, autoscalers: targets.filter((t) => t === n).length, replicas: d.spec.replicas }).toEqual(
        {
          d: n,
          autoscalers: 1,
          replicas: undefined,
        },
      );
    }
    expect(targets.filter((t) => !deployments(objects).some((d) => d.metadata.name === t))).toEqual([]);
  });

  it("exposes the gateway only, through an Ingress at PUBLIC_BASE_URL's host, with WebSocket timeouts and its body limit", async () => {
    const ingresses = ofKind<IngressObject>(objects, 'Ingress');
    const backends = ingresses.flatMap((i) =>
      i.spec.rules.flatMap((r) => r.http.paths.map((p) => p.backend.service)),
    );
    expect([...new Set(backends.map((b) => b.name))]).toEqual(['gateway']);
    const gatewayService = services(objects).find((s) => s.metadata.name === 'gateway')!;
    for (const b of backends)
      expect(gatewayService.spec.ports.some((p) => p.name === b.port.name || p.port === b.port.number)).toBe(
        true,
      );
    const hosts = ingresses.flatMap((i) => i.spec.rules.map((r) => r.host));
    for (const d of deployments(objects)) {
      const url = envOf(d.spec.template.spec.containers[0], 'PUBLIC_BASE_URL');
      if (url)
        expect({ d: key(d), host: hosts.includes(new URL(url).hostname) }).toEqual({ d: key(d), host: true });
    }
    const annotations = ingresses[0].metadata.annotations ?? {};
    // graphql-ws subscriptions stay silent for minutes between events (a generation).
    expect(Number(annotations['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(
      3600,
    );
    expect(Number(annotations['nginx.ingress.kubernetes.io/proxy-send-timeout'])).toBeGreaterThanOrEqual(
      3600,
    );
    const schema = await configSchemaOf('gateway');
    const parsed = schema.safeParse(
      environment(
        objects,
        deployments(objects).find((d) => d.metadata.name === 'gateway')!.spec.template.spec.containers[0],
      ),
    );
    const maxBody = (parsed as unknown as { data: { MAX_BODY_BYTES: number } }).data.MAX_BODY_BYTES;
    expect(
      quantity(annotations['nginx.ingress.kubernetes.io/proxy-body-size'].replace(/m$/, 'Mi')),
    ).toBeGreaterThan(maxBody);
  });

  describe('NetworkPolicies', () => {
    let policies: NetworkPolicy[] = [];
    let pods: Endpoint[] = [];
    let brokers: Endpoint;
    let postgres: Endpoint;
    const outside = (ns: string, labels: Labels = {}): Endpoint => ({ name: ns, namespace: ns, labels });
    const internet: Endpoint = { name: 'a public address', ip: '203.0.113.10' };
    const privateAddress: Endpoint = { name: 'a private address', ip: '10.1.2.3' };
    beforeAll(() => {
      // Strimzi turns the plain listener's networkPolicyPeers into a policy of its own for that port.
      const listener = plainListener();
      const strimziListenerPolicy: NetworkPolicy = {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: `${kafka.metadata.name}-network-policy-kafka`, namespace: NAMESPACE },
        spec: {
          podSelector: {
            matchLabels: { 'strimzi.io/cluster': kafka.metadata.name, 'strimzi.io/broker-role': 'true' },
          },
          policyTypes: ['Ingress'],
          ingress: [
            { from: listener.networkPolicyPeers ?? [], ports: [{ protocol: 'TCP', port: listener.port }] },
          ],
        },
      };
      policies = [...ofKind<NetworkPolicy>(objects, 'NetworkPolicy'), strimziListenerPolicy];
      pods = workloads(objects).map((w) => ({
        name: w.metadata.name,
        namespace: NAMESPACE,
        labels: w.spec.template.metadata?.labels,
        ports: w.spec.template.spec.containers.flatMap((c) => c.ports ?? []),
      }));
      brokers = {
        name: 'kafka broker',
        namespace: NAMESPACE,
        labels: {
          'strimzi.io/cluster': kafka.metadata.name,
          'strimzi.io/kind': 'Kafka',
          'strimzi.io/broker-role': 'true',
        },
        ports: [{ name: 'tcp-clients', containerPort: listener.port }],
      };
      const [pg] = ofKind<PostgresCluster>(objects, 'Cluster');
      postgres = {
        name: 'postgres instance',
        namespace: NAMESPACE,
        labels: { 'cnpg.io/cluster': pg.metadata.name, 'cnpg.io/podRole': 'instance' },
        ports: [{ name: 'postgresql', containerPort: 5432 }],
      };
    });
    const allowedFrom = (to: Endpoint, port: number, from: Endpoint[] = pods) =>
      from
        .filter((f) => connectionAllowed(policies, f, to, port))
        .map((f) => f.name)
        .sort();
    const withEnv = (variable: string) =>
      workloads(objects)
        .filter((w) => w.spec.template.spec.containers.some((c) => variable in environment(objects, c)))
        .map((w) => w.metadata.name)
        .sort();

    it('lets the outside (the ingress controller, any other namespace) reach the gateway only', () => {
      const reached = (from: Endpoint) =>
        pods.flatMap((p) =>
          (p.ports ?? [])
            .filter((port) => connectionAllowed(policies, from, p, port.containerPort))
            .map((port) => `${p.name}:${port.containerPort}`),
        );
      expect(reached(outside('ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx' }))).toEqual([
        'gateway:4000',
      ]);
      expect(reached(outside('some-other-app'))).toEqual([]);
      expect(allowedFrom(brokers, 9092, [outside('some-other-app')])).toEqual([]);
      expect(allowedFrom(postgres, 5432, [outside('some-other-app')])).toEqual([]);
    });

    it('lets exactly the services that keep data, and db-migrate, reach Postgres', () => {
      const owners = workloads(objects)
        .filter((w) =>
          w.spec.template.spec.containers.some((c) => c.env?.some((e) => e.name === 'DATABASE_URL')),
        )
        .map((w) => w.metadata.name)
        .sort();
      expect(owners).toContain('db-migrate');
      expect(allowedFrom(postgres, 5432)).toEqual(owners);
      // The operator manages the instances; the instances replicate from each other.
      expect(allowedFrom(postgres, 8000, [outside('cnpg-system'), postgres])).toEqual([
        'cnpg-system',
        'postgres instance',
      ]);
    });

    it("leaves the operators' pods their egress: an Egress policy selecting every pod would cut replication", () => {
      // What allow-dns once did with `podSelector: {}`: it isolated the Postgres and Kafka pods' egress.
      const everyPod = policies.map((p) =>
        p.metadata.name === 'allow-dns' ? { ...p, spec: { ...p.spec, podSelector: {} } } : p,
      );
      expect(connectionAllowed(policies, postgres, postgres, 5432)).toBe(true);
      expect(connectionAllowed(everyPod, postgres, postgres, 5432)).toBe(false);
      // The brokers and instances reach the API server and each other outside these rules.
      expect(connectionAllowed(policies, brokers, internet, 443)).toBe(true);
    });

    it("lets exactly the services with KAFKA_BROKERS (and KEDA's lag reader) reach the brokers", () => {
      const clients = withEnv('KAFKA_BROKERS');
      expect(clients).toEqual(expect.arrayContaining(['gateway', 'edits', 'webhooks']));
      expect(allowedFrom(brokers, 9092)).toEqual(clients);
      expect(allowedFrom(brokers, 9092, [outside('keda')])).toEqual(['keda']);
    });

    it('lets only video-generation reach the generator workers, and only the gateway reach the subgraphs', () => {
      const callers = withEnv('GENERATOR_ADDRESSES');
      expect(callers).toEqual(['video-generation']);
      for (const worker of gpuWorkers(objects)) {
        const w = pods.find((p) => p.name === worker.metadata.name)!;
        const grpcPort = w.ports!.find((p) => p.name === 'grpc')!.containerPort;
        expect({ worker: w.name, from: allowedFrom(w, grpcPort) }).toEqual({ worker: w.name, from: callers });
      }
      const gateway = deployments(objects).find((d) => d.metadata.name === 'gateway')!;
      const subgraphUrls = Object.entries(environment(objects, gateway.spec.template.spec.containers[0]))
        .filter(([k]) => k.endsWith('_URL'))
        .map(([, v]) => new URL(v));
      expect(subgraphUrls.length).toBeGreaterThanOrEqual(5);
      for (const url of subgraphUrls) {
        const target = pods.find((p) => p.name === url.hostname)!;
        expect({ url: url.href, from: allowedFrom(target, Number(url.port)) }).toEqual({
          url: url.href,
          from: ['gateway'],
        });
      }
    });

    it('opens HTTPS to the internet only for webhook deliveries and the VLM clients, never to private addresses for webhooks', () => {
      const vlmClients = (['captioning', 'frame-selection'] as const).filter((s) =>
        pods.some((p) => p.name === s),
      );
      expect(allowedFrom(internet, 443)).toEqual(['webhooks', ...vlmClients].sort());
      expect(
        allowedFrom(
          privateAddress,
          443,
          pods.filter((p) => p.name === 'webhooks'),
        ),
      ).toEqual([]);
      expect(allowedFrom(internet, 80)).toEqual([]);
      // ...and every pod resolves names, and Prometheus scrapes every service.
      const dns: Endpoint = { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
      expect(allowedFrom(dns, 53)).toEqual(pods.map((p) => p.name).sort());
      const scraped = deployments(objects)
        .map((d) => d.metadata.name)
        .sort();
      expect(
        scraped.filter((n) => {
          const p = pods.find((x) => x.name === n)!;
          return !connectionAllowed(policies, outside('monitoring'), p, p.ports![0].containerPort);
        }),
      ).toEqual([]);
    });
  });
});

function key(o: Manifest): string {
  return `${o.kind}/${o.metadata.name}`;
}
