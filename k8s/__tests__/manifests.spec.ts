// Invariants of the Kubernetes manifests (k8s/) that break silently: a Service that selects no pod,
// a probe on a port nobody listens on, an env var the service ignores or rejects, a file missing
// from a kustomization. Every kustomization is built here by a small resolver (resources, patches,
// replicas, namespace: what these kustomizations use) and each invariant is checked on the result;
// where kubectl is installed, its own `kubectl kustomize` output must equal that resolution.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

const K8S = path.resolve(__dirname, '..');
const REPO = path.resolve(K8S, '..');
const BASE = path.join(K8S, 'base');
const NAMESPACE = 'frame2frame';
/** The Secret the cluster operator creates; secret.example.yaml documents its keys. */
const SECRET_EXAMPLE = path.join(BASE, 'secret.example.yaml');
/** Services in base that nothing selects yet, on purpose (the GPU workers come later). */
const BASE_PLACEHOLDER_SERVICES = ['video-generator-workers'];

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
  grpc?: { port: number };
  tcpSocket?: { port: number | string };
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
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  volumes?: { name: string; persistentVolumeClaim?: { claimName: string }; emptyDir?: unknown }[];
}
interface PodTemplate {
  metadata?: { labels?: Labels };
  spec: PodSpec;
}
interface Workload extends Manifest {
  spec: { replicas?: number; selector?: { matchLabels?: Labels }; template: PodTemplate };
}
interface Service extends Manifest {
  spec: {
    type?: string;
    clusterIP?: string;
    selector?: Labels;
    ports: { name?: string; port: number; targetPort?: number | string }[];
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
  return (
    (!target.kind || obj.kind === target.kind) &&
    (!target.name || obj.metadata.name === target.name) &&
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
      for (const p of docs as Manifest[]) {
        let hit = false;
        objects = objects.map((o) => {
          const selected = target
            ? matchesTarget(o, target)
            : o.kind === p.kind && o.metadata.name === p.metadata.name;
          if (!selected) return o;
          hit = true;
          const { metadata: _metadata, ...body } = p;
          return strategicMerge(o, target ? body : p) as Manifest;
        });
        if (!hit) throw new Error(`${dir}: patch for ${p.kind}/${p.metadata?.name} matches nothing`);
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

  const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
  (kubectl ? it.each(kustomizationDirs.map((d) => [path.relative(K8S, d), d])) : it.skip.each([['-', '-']]))(
    '%s: `kubectl kustomize` builds it and agrees with the resolution here (skipped without kubectl)',
    (_name, dir) => {
      const out = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
      expect(out.stderr).toBe('');
      expect(out.status).toBe(0);
      const key = (o: Manifest) => `${o.kind}/${o.metadata.name}`;
      const byKey = (list: Manifest[]) => Object.fromEntries(list.map((o) => [key(o), o]));
      expect(byKey(parseYaml(dir, out.stdout) as Manifest[])).toEqual(byKey(build(dir)));
    },
  );
});

describe.each(kustomizationDirs.map((d) => [path.relative(K8S, d), d]))('k8s build %s', (name, dir) => {
  // Built in beforeAll, so that a kustomization this resolver cannot build fails each test below
  // with its reason instead of the whole file.
  let objects: Manifest[] = [];
  beforeAll(() => {
    objects = build(dir);
  });
  const isBase = dir === BASE;

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

  it('has every Service select pods (base: except the documented placeholder)', () => {
    for (const s of services(objects)) {
      const placeholder = isBase && BASE_PLACEHOLDER_SERVICES.includes(s.metadata.name);
      expect({ s: key(s), selectsPods: podsSelectedBy(objects, s).length > 0 }).toEqual({
        s: key(s),
        selectsPods: !placeholder,
      });
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

  it('gives every Deployment container readiness and liveness probes on a port it declares', () => {
    for (const d of deployments(objects)) {
      for (const c of d.spec.template.spec.containers) {
        for (const probeName of ['readinessProbe', 'livenessProbe'] as const) {
          const where = `${key(d)}/${c.name} ${probeName}`;
          const probe = c[probeName];
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

  it("points the gateway's EDITS_URL and METRICS_URL at subgraph Services whose pods listen there", () => {
    const gateway = deployments(objects).find((d) => d.metadata.name === 'gateway')!.spec.template.spec
      .containers[0];
    for (const [variable, subgraph] of [
      ['EDITS_URL', 'edits'],
      ['METRICS_URL', 'metrics'],
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

  it("points video-generation's GENERATOR_ADDRESSES at the gRPC workers' Service", () => {
    const vg = deployments(objects).find((d) => d.metadata.name === 'video-generation')!.spec.template.spec;
    for (const address of envOf(vg.containers[0], 'GENERATOR_ADDRESSES')!.split(',')) {
      const [host, port] = address.trim().split(':');
      const s = serviceAt(host, Number(port));
      expect(s.spec.ports.find((p) => p.port === Number(port))!.name).toBe('grpc');
      if (!isBase) expect(podsSelectedBy(objects, s).length).toBeGreaterThan(0);
    }
    // A generation in flight may take until its deadline; a stopped pod must be allowed to finish it.
    const deadlineS = Number(envOf(vg.containers[0], 'GENERATION_DEADLINE_MS') ?? 20 * 60 * 1000) / 1000;
    expect(vg.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(deadlineS);
  });

  it('runs images built from services/<name>/Dockerfile, and commands whose sources exist', () => {
    for (const w of workloads(objects)) {
      for (const c of containersOf(w)) {
        const m = /^ghcr\.io\/frame2frame\/([a-z0-9-]+):[\w.-]+$/.exec(c.image ?? '');
        expect({ image: c.image, ours: !!m }).toEqual({ image: c.image, ours: true });
        const dockerfile = path.join('services', m![1], 'Dockerfile');
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
      const schema = await configSchemaOf(d.metadata.name);
      const unknown = (c.env ?? []).map((e) => e.name).filter((n) => !(n in schema.shape));
      expect({ d: key(d), unknown }).toEqual({ d: key(d), unknown: [] });
      const result = schema.safeParse(environment(objects, c));
      const issues = result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
      expect({ d: key(d), issues }).toEqual({ d: key(d), issues: [] });
    }
  });
});

function key(o: Manifest): string {
  return `${o.kind}/${o.metadata.name}`;
}
