// Renders every kustomize overlay offline, validates each object against the
// Kubernetes schemas (kubernetes-models) and checks the house rules of
// /work/shared/STYLE.md "Operations". Needs kubectl (Debian kubernetes-client)
// and tests/node/node_modules (NODE_PATH); skips when kubectl is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const YAML = require('yaml');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const k8s = path.join(root, 'k8s');
const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
const skip = kubectl.error ? 'kubectl not installed (apt-get install kubernetes-client)' : false;

// Renders k8s/<dir>; any output on stderr (a deprecation warning, say)
// fails the test.
function render(dir) {
  const r = spawnSync('kubectl', ['kustomize', path.join(k8s, dir)], { encoding: 'utf8' });
  assert.equal(r.status, 0, `kubectl kustomize ${dir}:\n${r.stderr}`);
  assert.equal(r.stderr, '', `kubectl kustomize ${dir} must print no warnings`);
  return YAML.parseAllDocuments(r.stdout).map((d) => {
    assert.equal(d.errors.length, 0, `${dir}: ${d.errors.join('; ')}`);
    return d.toJS();
  }).filter(Boolean);
}

const id = (o) => `${o.kind}/${o.metadata?.name}`;

// The iob services: their ports (k8s/README.md's table) and the scopes the
// token each presents to its peers needs (services/*/README.md,
// IOB_PRINCIPALS in tools/dev/lib.sh).
const services = {
  credentials: { grpc: 7101, metrics: 9101, peerScopes: [] },
  punchout: { grpc: 7102, metrics: 9102, http: 8102, peerScopes: ['integrations.read', 'secrets.resolve'] },
  dispatch: {
    grpc: 7103, metrics: 9103, http: 8103,
    peerScopes: ['integrations.read', 'secrets.resolve', 'suppliers.verify', 'punchout.read'],
  },
  'invoice-intake': {
    grpc: 7104, metrics: 9104, http: 8104,
    peerScopes: ['integrations.read', 'suppliers.verify', 'orders.read'],
  },
};
const serviceNames = Object.keys(services);
// A service's Postgres role: iob_<name> with "-" as "_" (tools/dev/lib.sh).
const roleOf = (name) => `iob_${name.replace(/-/g, '_')}`;
// Addresses an egress rule to the internet must leave out: private, CGNAT,
// link-local (cloud metadata).
const privateRanges = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16'];

// kubernetes-models/<group>/<version>/<Kind>; null for kinds it does not know (CRDs).
function modelFor(obj) {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : [null, obj.apiVersion];
  const mod = group ? `kubernetes-models/${group}/${version}/${obj.kind}` : `kubernetes-models/${version}/${obj.kind}`;
  try { return require(mod)[obj.kind]; } catch { return null; }
}

const podSpecOf = (o) => (o.kind === 'Pod' ? o.spec : o.spec?.template?.spec);
const workloadKinds = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job']);

// CRDs kubernetes-models has no schema for; the fields we rely on are
// checked by hand (the monitoring test, checkCnpg).
const crdGroups = ['monitoring.coreos.com/v1', 'postgresql.cnpg.io/v1'];

function checkCommon(dir, objs) {
  assert.ok(objs.length > 0, `${dir} renders nothing`);
  for (const o of objs) {
    const labels = o.metadata?.labels ?? {};
    assert.ok(labels['app.kubernetes.io/name'], `${dir} ${id(o)}: no app.kubernetes.io/name label`);
    assert.equal(labels['app.kubernetes.io/part-of'], 'iob', `${dir} ${id(o)}: app.kubernetes.io/part-of != iob`);
    const Model = modelFor(o);
    if (Model) new Model(o).validate(); // throws with the schema path on error
    else assert.ok(crdGroups.includes(o.apiVersion), `${dir} ${id(o)}: no schema for ${o.apiVersion}`);
  }
  const seen = new Set();
  for (const o of objs) {
    const key = `${o.apiVersion} ${id(o)}`;
    assert.ok(!seen.has(key), `${dir}: ${key} twice`);
    seen.add(key);
  }
}

// "30s", "1m", "500ms" (the IOB_* duration forms we use) in seconds.
function seconds(text, what) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text ?? '');
  assert.ok(m, `${what}: "${text}" is not a duration`);
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2]];
}

// What a native gRPC health probe asks: {port, service}; {} for anything else.
function probeTarget(probe) {
  if (probe?.grpc) return { port: probe.grpc.port, service: probe.grpc.service ?? '' };
  return {};
}

// Issue 8 findings 9 and 10 for one iob service container: liveness asks the
// "liveness" health service (the process), readiness "" (the database), the
// startup probe outlasts the wait for the database; the drain outlasts the
// slowest call and the grace period covers pause + drain. A service with
// delivery workers (IOB_WORKERS: dispatch) calls suppliers from them, not from
// RPCs: each worker finishes its attempt (IOB_CLAIM_BATCH supplier calls, each
// recorded) before the drain, so the grace period covers that too, and the
// lease outlasts the calls (the service refuses to start otherwise).
function checkHealthAndShutdown(at, spec, c, env) {
  assert.equal(probeTarget(c.livenessProbe).service, 'liveness', `${at}: Finding9 liveness must probe service "liveness"`);
  assert.equal(probeTarget(c.readinessProbe).service, '', `${at}: readiness probes service "" (the database)`);
  const startup = c.startupProbe;
  assert.equal(probeTarget(startup).service, 'liveness', `${at}: startup probe on "liveness"`);
  for (const p of [c.livenessProbe, c.readinessProbe, startup]) assert.ok(p?.grpc, `${at}: native gRPC probes`);
  assert.ok(startup.periodSeconds * startup.failureThreshold > seconds(env.IOB_DB_START_TIMEOUT, `${at} IOB_DB_START_TIMEOUT`),
            `${at}: Finding9 the startup probe must outlast IOB_DB_START_TIMEOUT`);
  const pause = seconds(env.IOB_SHUTDOWN_PAUSE, `${at} IOB_SHUTDOWN_PAUSE`);
  const drain = seconds(env.IOB_DRAIN_TIMEOUT, `${at} IOB_DRAIN_TIMEOUT`);
  const statement = seconds(env.IOB_DB_STATEMENT_TIMEOUT, `${at} IOB_DB_STATEMENT_TIMEOUT`);
  assert.ok(statement > 0 && seconds(env.IOB_DB_LOCK_TIMEOUT, `${at} IOB_DB_LOCK_TIMEOUT`) > 0,
            `${at}: Finding11 statement and lock timeouts are set`);
  const supplier = env.IOB_SUPPLIER_TIMEOUT ? seconds(env.IOB_SUPPLIER_TIMEOUT, `${at} IOB_SUPPLIER_TIMEOUT`) : 0;
  let attempt = 0; // what the workers finish before the drain
  if (env.IOB_WORKERS !== undefined) {
    const batch = Number(env.IOB_CLAIM_BATCH);
    assert.ok(Number.isInteger(batch) && batch >= 1, `${at}: IOB_CLAIM_BATCH`);
    assert.ok(supplier > 0, `${at}: IOB_SUPPLIER_TIMEOUT`);
    assert.ok(seconds(env.IOB_LEASE, `${at} IOB_LEASE`) > supplier * batch,
              `${at}: IOB_LEASE must exceed IOB_SUPPLIER_TIMEOUT x IOB_CLAIM_BATCH`);
    attempt = batch * (supplier + statement);
  }
  const slowest = Math.max(statement, attempt ? 0 : supplier); // the slowest RPC
  assert.ok(drain > slowest, `${at}: Finding10 IOB_DRAIN_TIMEOUT ${drain}s must exceed the slowest call (${slowest}s)`);
  assert.ok(spec.terminationGracePeriodSeconds >= pause + attempt + drain + 5,
            `${at}: Finding10 terminationGracePeriodSeconds must cover IOB_SHUTDOWN_PAUSE + ` +
            `the workers' attempt (${attempt}s) + IOB_DRAIN_TIMEOUT + 5s`);
}

// The environment a container sees: its ConfigMaps, then env (values, or the
// valueFrom object).
function envOf(c, configMaps) {
  const env = {};
  for (const ref of c.envFrom ?? []) Object.assign(env, configMaps.get(ref.configMapRef?.name) ?? {});
  for (const e of c.env ?? []) env[e.name] = e.value ?? e.valueFrom;
  return env;
}

// Wiring of one iob service container that a typo would break at run time:
// every IOB_*_FILE lies under a mounted volume, every peer (IOB_<PEER>_ADDR)
// is a Service's grpc port by its DNS name, the HTTP edge listens on the
// `http` port.
function checkWiring(at, spec, c, env, objs) {
  const mounts = (c.volumeMounts ?? []).map((m) => m.mountPath);
  const volumes = new Set((spec.volumes ?? []).map((v) => v.name));
  for (const m of c.volumeMounts ?? []) assert.ok(volumes.has(m.name), `${at}: volumeMount ${m.name} has no volume`);
  for (const [k, v] of Object.entries(env)) {
    if (!/^IOB_\w+_FILE$/.test(k) || !v) continue;
    assert.ok(mounts.some((m) => v.startsWith(`${m}/`)), `${at}: ${k}=${v} is not under a mounted volume`);
  }
  for (const [k, v] of Object.entries(env)) {
    const peer = /^IOB_(\w+)_ADDR$/.exec(k)?.[1]?.toLowerCase();
    if (!peer) continue;
    const svc = objs.find((o) => o.kind === 'Service' && o.metadata.name === peer);
    const port = svc?.spec.ports.find((p) => p.name === 'grpc')?.port;
    assert.equal(v, `${peer}:${port}`, `${at}: ${k} must be Service ${peer}'s grpc port`);
  }
  const http = (c.ports ?? []).find((p) => p.name === 'http');
  assert.equal(env.IOB_HTTP_LISTEN, http ? `0.0.0.0:${http.containerPort}` : undefined, `${at}: IOB_HTTP_LISTEN`);
}

// What a probe checks, without its timing: {grpc: ...}, {httpGet: ...}, ...
const probeHandler = (p) => JSON.stringify(['exec', 'httpGet', 'tcpSocket', 'grpc'].map((k) => p?.[k] ?? null));

// The NetworkPolicies whose podSelector selects pods with `labels`.
const policiesFor = (objs, labels) =>
  objs.filter((o) => o.kind === 'NetworkPolicy' &&
                     Object.entries(o.spec.podSelector?.matchLabels ?? {}).every(([k, v]) => labels?.[k] === v) &&
                     (o.spec.podSelector?.matchExpressions ?? []).length === 0);

// The migration of one iob service (k8s/README.md "Migrations"): an init
// container `migrate` running the service's own image with `migrate`, its
// ConfigMap and its database Secret (key `key`), before a service container
// that does not migrate.
function checkMigrate(at, spec, c, env, key) {
  const init = (spec.initContainers ?? []).find((x) => x.name === 'migrate');
  assert.ok(init, `${at}: no init container "migrate"`);
  assert.equal(init.image, c.image, `${at}: migrate runs another image than the service`);
  assert.deepEqual(init.args, ['migrate'], `${at}: migrate's args`);
  assert.deepEqual(init.envFrom, c.envFrom, `${at}: migrate reads another ConfigMap than the service`);
  const url = init.env?.find((e) => e.name === 'IOB_DB_URL')?.valueFrom?.secretKeyRef;
  assert.equal(url?.name, env.IOB_DB_URL?.secretKeyRef?.name, `${at}: migrate's IOB_DB_URL is not the service's Secret`);
  assert.equal(url?.key, key, `${at}: migrate's IOB_DB_URL key`);
  assert.equal(env.IOB_MIGRATE_ON_START, 'false', `${at}: the service must not migrate itself (IOB_MIGRATE_ON_START)`);
}

// Every Deployment and StatefulSet (the iob services, and dev's Postgres and
// simulator): readiness and liveness probes that check different things,
// and a NetworkPolicy selecting its pods (with Ingress and Egress, so it is
// default deny for both). Security context and resources: checkWorkloads.
function checkPolicy(dir, objs) {
  const longRunning = objs.filter((o) => ['Deployment', 'StatefulSet'].includes(o.kind));
  assert.ok(longRunning.length > 0, `${dir}: no Deployments`);
  for (const o of longRunning) {
    const where = `${dir} ${id(o)}`;
    for (const c of podSpecOf(o).containers) {
      assert.ok(c.readinessProbe && c.livenessProbe, `${where} ${c.name}: readiness and liveness probes`);
      assert.notEqual(probeHandler(c.readinessProbe), probeHandler(c.livenessProbe),
                      `${where} ${c.name}: readiness and liveness must check different things`);
    }
    const policies = policiesFor(objs, o.spec.template.metadata.labels);
    assert.ok(policies.length > 0, `${where}: no NetworkPolicy selects its pods`);
    const types = new Set(policies.flatMap((p) => p.spec.policyTypes ?? []));
    assert.ok(types.has('Ingress') && types.has('Egress'), `${where}: its NetworkPolicies must cover Ingress and Egress`);
  }
}

function checkWorkloads(dir, objs, { migrateKey = 'url' } = {}) {
  const configMaps = new Map(objs.filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata.name, o.data ?? {}]));
  for (const o of objs.filter((x) => workloadKinds.has(x.kind))) {
    const spec = podSpecOf(o);
    const where = `${dir} ${id(o)}`;
    assert.equal(spec.securityContext?.runAsNonRoot, true, `${where}: pod runAsNonRoot`);
    assert.equal(spec.securityContext?.seccompProfile?.type, 'RuntimeDefault', `${where}: pod seccompProfile`);
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      const at = `${where} container ${c.name}`;
      const sc = c.securityContext ?? {};
      assert.equal(sc.runAsNonRoot, true, `${at}: runAsNonRoot`);
      assert.equal(sc.readOnlyRootFilesystem, true, `${at}: readOnlyRootFilesystem`);
      assert.equal(sc.allowPrivilegeEscalation, false, `${at}: allowPrivilegeEscalation`);
      assert.deepEqual(sc.capabilities?.drop, ['ALL'], `${at}: capabilities.drop`);
      assert.equal(sc.seccompProfile?.type, 'RuntimeDefault', `${at}: seccompProfile`);
      for (const k of ['cpu', 'memory']) {
        assert.ok(c.resources?.requests?.[k], `${at}: requests.${k}`);
        assert.ok(c.resources?.limits?.[k], `${at}: limits.${k}`);
      }
      for (const p of c.ports ?? []) assert.ok(p.name, `${at}: port ${p.containerPort} has no name`);
      if (o.kind === 'Job' || (spec.initContainers ?? []).includes(c)) continue;
      assert.ok(c.livenessProbe && c.readinessProbe, `${at}: liveness and readiness probes`);
      const grpcPort = (c.ports ?? []).find((p) => p.name === 'grpc');
      if (o.kind === 'Deployment' && o.metadata.name !== 'supplier-sim') {
        // The iob services: native gRPC probes (grpc.health.v1) on the grpc
        // port, or, when that port is TLS-only, on the plaintext health port
        // (IOB_HEALTH_LISTEN) that serves nothing but health.
        assert.ok(grpcPort, `${at}: no port named grpc`);
        const env = envOf(c, configMaps);
        let probePort = grpcPort;
        if (env.IOB_TLS_CERT_FILE) {
          probePort = (c.ports ?? []).find((p) => p.name === 'health');
          assert.ok(probePort, `${at}: a TLS grpc port needs a port named health for the probes`);
          assert.equal(env.IOB_HEALTH_LISTEN, `0.0.0.0:${probePort.containerPort}`, `${at}: IOB_HEALTH_LISTEN`);
        }
        for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
          assert.equal(probeTarget(probe).port, probePort.containerPort, `${at}: probe is not gRPC on the ${probePort.name} port`);
        }
        checkHealthAndShutdown(at, spec, c, env);
        checkWiring(at, spec, c, env, objs);
        checkMigrate(at, spec, c, env, migrateKey);
        // Listen addresses reachable from outside the pod, on the named ports.
        assert.equal(env.IOB_GRPC_LISTEN, `0.0.0.0:${grpcPort.containerPort}`, `${at}: IOB_GRPC_LISTEN`);
        const metrics = c.ports.find((p) => p.name === 'metrics');
        assert.equal(env.IOB_METRICS_LISTEN, `0.0.0.0:${metrics?.containerPort}`, `${at}: IOB_METRICS_LISTEN`);
        assert.ok(env.IOB_DB_URL?.secretKeyRef, `${at}: IOB_DB_URL must come from a Secret`);
        assert.ok(env.IOB_TOKENS_FILE, `${at}: IOB_TOKENS_FILE`);
      }
    }
  }
}

const selects = (matchLabels, labels) =>
  Object.keys(matchLabels ?? {}).length > 0 &&
  Object.entries(matchLabels).every(([k, v]) => labels?.[k] === v);

// The objects of each iob service and how they fit together: the ports of
// the README's table on the container and the Service, the PDB and the
// NetworkPolicy selecting its pods, the policy letting in what calls it and
// out what it calls (every peer it is configured with, suppliers on 443).
function checkServices(dir, objs) {
  const configMaps = new Map(objs.filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata.name, o.data ?? {}]));
  const named = (kind, name) => objs.find((o) => o.kind === kind && o.metadata.name === name);
  for (const [name, want] of Object.entries(services)) {
    const at = `${dir} ${name}`;
    for (const kind of ['Deployment', 'Service', 'PodDisruptionBudget', 'NetworkPolicy', 'ServiceAccount']) {
      const o = named(kind, name);
      assert.ok(o, `${at}: no ${kind}/${name}`);
      assert.equal(o.metadata.labels['app.kubernetes.io/name'], name, `${at}: ${kind} name label`);
    }
    assert.ok(named('ConfigMap', `${name}-config`), `${at}: no ConfigMap/${name}-config`);
    const d = named('Deployment', name);
    const pod = d.spec.template;
    assert.ok(selects(d.spec.selector.matchLabels, pod.metadata.labels), `${at}: Deployment selector`);
    assert.equal(pod.spec.serviceAccountName, name, `${at}: serviceAccountName`);
    const c = pod.spec.containers.find((x) => x.name === name);
    assert.ok(c, `${at}: no container ${name}`);
    assert.ok(c.envFrom?.some((r) => r.configMapRef?.name === `${name}-config`), `${at}: envFrom ${name}-config`);
    const ports = ['grpc', 'metrics', 'http'].filter((p) => want[p]);
    const svc = named('Service', name);
    assert.ok(selects(svc.spec.selector, pod.metadata.labels), `${at}: Service selector`);
    for (const p of ports) {
      assert.equal(c.ports.find((x) => x.name === p)?.containerPort, want[p], `${at}: container port ${p}`);
      const sp = svc.spec.ports.find((x) => x.name === p);
      assert.ok(sp && sp.port === want[p] && sp.targetPort === p, `${at}: Service port ${p} ${want[p]} -> ${p}`);
    }
    assert.equal(svc.spec.ports.length, ports.length, `${at}: Service ports ${ports}`);
    assert.ok(selects(named('PodDisruptionBudget', name).spec.selector.matchLabels, pod.metadata.labels), `${at}: PDB selector`);

    const np = named('NetworkPolicy', name).spec;
    assert.ok(selects(np.podSelector.matchLabels, pod.metadata.labels), `${at}: NetworkPolicy podSelector`);
    assert.deepEqual(np.policyTypes, ['Ingress', 'Egress'], `${at}: NetworkPolicy policyTypes`);
    const ingress = (p) => np.ingress.find((r) => r.ports?.some((x) => x.port === p));
    assert.ok(ingress('grpc')?.from?.some((f) => selects(f.podSelector?.matchLabels, { 'app.kubernetes.io/part-of': 'iob' })),
              `${at}: gRPC from part-of=iob pods`);
    assert.ok(ingress('metrics')?.from?.some((f) => f.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'monitoring'),
              `${at}: metrics from namespace monitoring`);
    if (want.http) assert.ok(ingress('http') && !ingress('http').from, `${at}: the http edge from anywhere`);
    else assert.ok(!ingress('http'), `${at}: no http edge`);
    const egress = (port) => np.egress.filter((r) => r.ports?.some((x) => x.port === port));
    for (const port of [53, 5432]) assert.ok(egress(port).length, `${at}: egress to ${port}`);
    const env = envOf(c, configMaps);
    for (const k of Object.keys(env)) {
      const peer = /^IOB_(\w+)_ADDR$/.exec(k)?.[1]?.toLowerCase();
      if (!peer) continue;
      assert.ok(services[peer], `${at}: ${k} names no iob service`);
      assert.ok(egress(services[peer].grpc).some((r) => r.to?.some((t) => t.podSelector?.matchLabels?.['app.kubernetes.io/name'] === peer)),
                `${at}: no egress to ${peer} pods on ${services[peer].grpc}`);
    }
    // Suppliers on 443 (punchout, dispatch), the mailbox on 993 and 143
    // (invoice-intake): public addresses only, never the cluster's own.
    if (env.IOB_SUPPLIER_TIMEOUT) checkPublicOnly(`${at} suppliers`, egress(443));
    if ('IOB_IMAP_URL' in env) {
      for (const port of [993, 143]) checkPublicOnly(`${at} IMAP`, egress(port));
    } else {
      assert.equal(egress(993).length + egress(143).length, 0, `${at}: IMAP egress without a mailbox`);
    }
  }
}

// `rules` (the egress rules for one port) are one rule to public addresses:
// ipBlocks whose 0.0.0.0/0 leaves out the private ranges.
function checkPublicOnly(at, rules) {
  assert.equal(rules.length, 1, `${at}: one egress rule`);
  assert.ok(rules[0].to?.length, `${at}: egress only to public addresses (ipBlock), not anywhere`);
  for (const t of rules[0].to) {
    assert.ok(t.ipBlock && !t.podSelector && !t.namespaceSelector, `${at}: egress by ipBlock only`);
    if (t.ipBlock.cidr === '0.0.0.0/0') {
      for (const x of privateRanges) assert.ok(t.ipBlock.except?.includes(x), `${at}: egress must exclude ${x}`);
    }
  }
}

test('base renders with every service', { skip }, () => {
  const objs = render('base');
  checkCommon('base', objs);
  checkWorkloads('base', objs);
  checkPolicy('base', objs);
  checkServices('base', objs);
  assert.deepEqual(objs.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name).sort(), [...serviceNames].sort(),
                   'base: a Deployment per service, nothing else');
  assert.ok(!objs.some((o) => o.kind === 'Secret'), 'base must not contain Secrets');
});

test('dev overlay: iob-dev, postgres, simulator, fake secrets', { skip }, () => {
  const objs = render('overlays/dev');
  checkCommon('dev', objs);
  checkWorkloads('dev', objs);
  checkPolicy('dev', objs);
  checkServices('dev', objs);
  for (const o of objs.filter((x) => x.kind !== 'Namespace')) assert.equal(o.metadata.namespace, 'iob-dev', id(o));
  for (const want of ['StatefulSet/postgres', 'Service/postgres', 'Job/db-provision', 'Deployment/supplier-sim', 'Service/supplier-sim']) {
    assert.ok(objs.some((o) => id(o) === want), `dev: no ${want}`);
  }
  for (const s of objs.filter((o) => o.kind === 'Secret')) {
    for (const [k, v] of Object.entries(s.stringData ?? {})) {
      if (k === 'tokens.json') {
        // Hashes only: each must be the hash of the fake "dev-only-fake-token-<principal>".
        for (const e of JSON.parse(v).tokens) {
          const fake = createHash('sha256').update(`dev-only-fake-token-${e.principal}`).digest('hex');
          assert.equal(e.sha256, fake, `dev ${id(s)}: ${e.principal} is not a fake token's hash`);
        }
      } else {
        assert.match(v, /dev-only-fake|ZGV2LW9ubHktZmFrZS/, `dev ${id(s)} ${k}: not an obvious placeholder`);
      }
    }
    assert.ok(!s.data, `dev ${id(s)}: use stringData with readable fake values`);
  }
  const cm = Object.fromEntries(objs.filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata.name, o.data]));
  assert.match(cm['credentials-config'].IOB_TEST_MODE_HOSTS, /supplier-sim:8200/);
  const sim = objs.find((o) => id(o) === 'Deployment/supplier-sim').spec.template;
  for (const name of ['punchout', 'dispatch']) {
    // Plain http to the simulator, and a NetworkPolicy letting the pods reach it.
    assert.match(cm[`${name}-config`].IOB_PLAIN_HTTP_HOSTS, /(^|,)supplier-sim:8200(,|$)/, `dev ${name}: IOB_PLAIN_HTTP_HOSTS`);
    const pods = objs.find((o) => id(o) === `Deployment/${name}`).spec.template.metadata.labels;
    assert.ok(objs.some((o) => o.kind === 'NetworkPolicy' && selects(o.spec.podSelector.matchLabels, pods) &&
                          o.spec.egress?.some((r) => r.ports?.some((p) => p.port === 8200) &&
                                                     r.to?.some((t) => selects(t.podSelector?.matchLabels, sim.metadata.labels)))),
              `dev ${name}: no NetworkPolicy egress to the simulator`);
  }
  // The simulator posts confirmations and ship notices to dispatch's edge.
  const simEnv = Object.fromEntries(sim.spec.containers[0].env.map((e) => [e.name, e.value]));
  assert.equal(simEnv.IOB_FULFILLMENT_URL, `http://dispatch:${services.dispatch.http}/cxml/fulfill`, 'dev: the simulator\'s IOB_FULFILLMENT_URL');
  assert.equal(cm['dispatch-config'].IOB_PUBLIC_URL, `http://dispatch:${services.dispatch.http}`, 'dev: dispatch IOB_PUBLIC_URL');
  for (const name of serviceNames) {
    assert.equal(cm[`${name}-config`].IOB_REFLECTION, 'true', `dev ${name}-config: reflection on in dev`);
  }
  // Each service's role: its URL's password is the one db-provision sets, and
  // db-provision creates the role and the service's schema.
  const secret = (name) => objs.find((o) => id(o) === `Secret/${name}`)?.stringData ?? {};
  const job = objs.find((o) => id(o) === 'Job/db-provision').spec.template.spec.containers[0];
  const script = job.args.join('\n');
  for (const name of serviceNames) {
    const url = new URL(secret(`${name}-db`).url ?? 'missing:');
    const role = roleOf(name);
    assert.equal(url.username, role, `dev ${name}-db: role`);
    assert.equal(url.password, secret('db-roles')[name], `dev ${name}-db: not the password db-roles gives ${role}`);
    assert.ok(job.env.some((e) => e.valueFrom?.secretKeyRef?.name === 'db-roles' && e.valueFrom.secretKeyRef.key === name),
              `dev db-provision: no password for ${role}`);
    assert.match(script, new RegExp(`'${role}'`), `dev db-provision: does not create ${role}`);
    assert.match(script, new RegExp(`ALTER ROLE ${role} PASSWORD`), `dev db-provision: does not set ${role}'s password`);
    assert.match(script, new RegExp(`CREATE SCHEMA IF NOT EXISTS ${cm[`${name}-config`].IOB_DB_SCHEMA} AUTHORIZATION ${role};`),
                 `dev db-provision: no schema for ${name}`);
  }
  // No mailbox in dev (k8s/README.md "overlays/dev"): messages come through
  // IngestMessage and the supplier edge; no Maildir in a cluster anywhere.
  assert.equal(cm['invoice-intake-config'].IOB_IMAP_URL, '', 'dev: no IMAP mailbox');
  assert.equal(cm['invoice-intake-config'].IOB_MAILDIR, '', 'dev: no Maildir');
  // The token each service presents to its peers is in iob-tokens with the scopes it needs.
  const tokens = JSON.parse(secret('iob-tokens')['tokens.json']).tokens;
  for (const [name, { peerScopes }] of Object.entries(services)) {
    if (!peerScopes.length) continue;
    const token = secret(`${name}-credentials-token`).token ?? '';
    const entry = tokens.find((e) => e.sha256 === createHash('sha256').update(token).digest('hex'));
    assert.ok(entry, `dev ${name}-credentials-token: not in iob-tokens`);
    for (const scope of peerScopes) assert.ok(entry.scopes.includes(scope), `dev ${name}'s token lacks ${scope}`);
  }
  // Every Secret a pod refers to is in the overlay.
  const secrets = new Set(objs.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name));
  for (const name of referencedSecrets(objs)) assert.ok(secrets.has(name), `dev: Secret ${name} is referenced but missing`);
});

function referencedSecrets(objs) {
  const names = new Set();
  for (const o of objs.filter((x) => workloadKinds.has(x.kind))) {
    const spec = podSpecOf(o);
    // An optional Secret (dispatch-smtp: only with the PDF action's AUTH) need not exist.
    for (const v of spec.volumes ?? []) if (v.secret && !v.secret.optional) names.add(v.secret.secretName);
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) names.add(e.valueFrom.secretKeyRef.name);
    }
  }
  return names;
}

// PgBouncer parameters a CloudNativePG Pooler accepts (its admission
// webhook refuses others; AllowedPgbouncerGenericConfigurationParameters),
// as far as we use them.
const poolerParameters = new Set(['max_client_conn', 'default_pool_size', 'max_prepared_statements',
                                  'server_reset_query', 'server_reset_query_always']);

// The prod database (k8s/README.md "Postgres through PgBouncer"): a
// CloudNativePG Cluster provisioning each service's role (its password from
// Secret <service>-db-role) and schema, with the session settings libs/db
// would otherwise SET as role defaults; a transaction-mode Pooler that
// tracks prepared statements and undoes session SETs after each
// transaction; the services through the pooler, their migrations direct to
// the primary, both verifying the cluster's CA. Returns the Secrets the
// Cluster refers to.
function checkCnpg(objs) {
  const clusters = objs.filter((o) => o.apiVersion === 'postgresql.cnpg.io/v1' && o.kind === 'Cluster');
  const poolers = objs.filter((o) => o.apiVersion === 'postgresql.cnpg.io/v1' && o.kind === 'Pooler');
  assert.equal(clusters.length, 1, 'prod: one CloudNativePG Cluster');
  assert.equal(poolers.length, 1, 'prod: one Pooler');
  const [cluster] = clusters;
  const [pooler] = poolers;
  const cs = cluster.spec;
  assert.ok(Number.isInteger(cs.instances) && cs.instances >= 3, 'prod Cluster: 3 instances or more');
  assert.ok(cs.storage?.size, 'prod Cluster: storage.size');
  const initdb = cs.bootstrap?.initdb;
  assert.equal(initdb?.database, 'iob', 'prod Cluster: database iob');
  const sql = (initdb.postInitApplicationSQL ?? []).join(';\n');
  for (const v of Object.values(cs.postgresql?.parameters ?? {})) assert.equal(typeof v, 'string', 'Cluster parameters are strings');
  for (const s of cs.certificates?.serverAltDNSNames ?? []) assert.equal(typeof s, 'string');

  const ps = pooler.spec;
  assert.notEqual(pooler.metadata.name, cluster.metadata.name, 'a Pooler may not share its Cluster\'s name');
  assert.equal(ps.cluster?.name, cluster.metadata.name, 'prod Pooler: its cluster');
  assert.equal(ps.type, 'rw', 'prod Pooler: in front of the primary');
  assert.ok(Number.isInteger(ps.instances) && ps.instances >= 2, 'prod Pooler: 2 instances or more');
  assert.equal(ps.pgbouncer?.poolMode, 'transaction', 'prod Pooler: transaction mode');
  const params = ps.pgbouncer.parameters ?? {};
  for (const [k, v] of Object.entries(params)) {
    assert.ok(poolerParameters.has(k), `prod Pooler: parameter ${k} is not one we know CloudNativePG accepts`);
    assert.equal(typeof v, 'string', `prod Pooler: ${k} must be a string`);
  }
  assert.ok(Number(params.max_prepared_statements) > 0, 'prod Pooler: max_prepared_statements (libs/db prepares statements)');
  assert.equal(params.server_reset_query_always, '1', 'prod Pooler: server_reset_query_always (session SETs must not leak)');
  for (const g of ['statement_timeout', 'lock_timeout', 'search_path']) {
    assert.match(params.server_reset_query ?? '', new RegExp(`RESET ${g}\\b`), `prod Pooler: server_reset_query resets ${g}`);
  }
  // The pooler serves the cluster's certificate: it must name the pooler.
  assert.ok(cs.certificates?.serverAltDNSNames?.includes(pooler.metadata.name), 'prod Cluster: serverAltDNSNames names the pooler');

  const configMaps = new Map(objs.filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata.name, o.data ?? {}]));
  const roleSecrets = new Set();
  for (const name of serviceNames) {
    const at = `prod ${name}`;
    const role = roleOf(name);
    const config = configMaps.get(`${name}-config`);
    const schema = config.IOB_DB_SCHEMA;
    assert.match(sql, new RegExp(`CREATE ROLE ${role} LOGIN`), `${at}: Cluster creates role ${role}`);
    assert.match(sql, new RegExp(`CREATE SCHEMA ${schema} AUTHORIZATION ${role}`), `${at}: Cluster creates schema ${schema}`);
    assert.match(sql, new RegExp(`ALTER ROLE ${role} IN DATABASE iob SET search_path = ${schema}\\b`), `${at}: ${role}'s search_path`);
    for (const [g, env] of [['statement_timeout', 'IOB_DB_STATEMENT_TIMEOUT'], ['lock_timeout', 'IOB_DB_LOCK_TIMEOUT']]) {
      const m = new RegExp(`ALTER ROLE ${role} IN DATABASE iob SET ${g} = '([^']+)'`).exec(sql);
      assert.ok(m, `${at}: ${role}'s ${g}`);
      assert.equal(seconds(m[1], `${at} ${g}`), seconds(config[env], `${at} ${env}`), `${at}: ${role}'s ${g} must be ${env}`);
    }
    const managed = cs.managed?.roles?.find((r) => r.name === role);
    assert.ok(managed, `${at}: Cluster manages role ${role}`);
    assert.equal(managed.login, true, `${at}: ${role} logs in (a managed role without login: true loses it)`);
    assert.ok([undefined, 'present'].includes(managed.ensure), `${at}: ${role} is present`);
    assert.equal(managed.passwordSecret?.name, `${name}-db-role`, `${at}: ${role}'s password Secret`);
    roleSecrets.add(managed.passwordSecret.name);

    // The service through the pooler (Secret key url), its migrations direct
    // (migrate-url); both with the cluster's CA and nothing else of its Secret.
    const spec = objs.find((o) => id(o) === `Deployment/${name}`).spec.template.spec;
    const ca = spec.volumes.find((v) => v.secret?.secretName === `${cluster.metadata.name}-ca`);
    assert.ok(ca, `${at}: mounts the cluster's CA (Secret ${cluster.metadata.name}-ca)`);
    assert.deepEqual(ca.secret.items, [{ key: 'ca.crt', path: 'ca.crt' }], `${at}: only ca.crt of the CA Secret (never ca.key)`);
    for (const c of [...spec.initContainers, ...spec.containers]) {
      assert.ok(c.volumeMounts?.some((m) => m.name === ca.name), `${at} ${c.name}: mounts the cluster's CA`);
    }
  }
  return roleSecrets;
}

// The Secrets k8s/README.md's prod table lists: [required, optional].
function readmeProdSecrets() {
  const readme = fs.readFileSync(path.join(k8s, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## overlays/prod'));
  const end = section.indexOf('\n## ');
  const table = end === -1 ? section : section.slice(0, end);
  const required = [];
  const optional = [];
  for (const [, name, opt] of table.matchAll(/^\| `([a-z0-9-]+)`( \(optional\))? \|/gm)) (opt ? optional : required).push(name);
  return [required, optional];
}

test('prod overlay: iob, 3 replicas, CloudNativePG, no secret data committed', { skip }, () => {
  const objs = render('overlays/prod');
  checkCommon('prod', objs);
  checkWorkloads('prod', objs, { migrateKey: 'migrate-url' });
  checkPolicy('prod', objs);
  checkServices('prod', objs);
  for (const o of objs) assert.equal(o.metadata.namespace, 'iob', id(o));
  for (const s of objs.filter((o) => o.kind === 'Secret')) {
    assert.ok(!s.data && !s.stringData, `prod ${id(s)} carries data: prod Secrets are created out of band`);
  }
  for (const d of objs.filter((o) => o.kind === 'Deployment')) assert.equal(d.spec.replicas, 3, id(d));
  for (const c of objs.filter((o) => o.kind === 'ConfigMap')) {
    assert.equal(c.data.IOB_REFLECTION, 'false', `prod ${id(c)}: Finding15 reflection must be off in prod`);
    assert.ok(seconds(c.data.IOB_SHUTDOWN_PAUSE, id(c)) > 0, `prod ${id(c)}: Finding10 a shutdown pause`);
  }
  assert.ok(!objs.some((o) => ['StatefulSet', 'Job'].includes(o.kind)), 'prod: no hand-run Postgres, no Jobs');
  for (const name of serviceNames) {
    const hpa = objs.find((o) => id(o) === `HorizontalPodAutoscaler/${name}`);
    assert.ok(hpa && hpa.spec.scaleTargetRef.name === name && hpa.spec.minReplicas === 3, `prod ${name}: HPA from 3`);
  }
  // Finding1: every iob service serves mTLS in prod, and dials each of its
  // peers (IOB_<PEER>_ADDR) with a client certificate.
  const configMaps = new Map(objs.filter((o) => o.kind === 'ConfigMap').map((o) => [o.metadata.name, o.data ?? {}]));
  for (const d of objs.filter((o) => o.kind === 'Deployment')) {
    const env = envOf(d.spec.template.spec.containers[0], configMaps);
    assert.ok(env.IOB_TLS_CERT_FILE && env.IOB_TLS_KEY_FILE && env.IOB_TLS_CLIENT_CA_FILE, `prod ${id(d)}: Finding1 serves mTLS`);
    for (const k of Object.keys(env)) {
      const peer = /^IOB_(\w+)_ADDR$/.exec(k)?.[1];
      if (!peer) continue;
      for (const f of ['CA', 'CERT', 'KEY']) {
        assert.ok(env[`IOB_${peer}_${f}_FILE`], `prod ${id(d)}: Finding1 dials ${peer.toLowerCase()} over mTLS (IOB_${peer}_${f}_FILE)`);
      }
    }
    if ('IOB_PUBLIC_URL' in env) {
      assert.match(env.IOB_PUBLIC_URL, /^https:\/\//, `prod ${id(d)}: IOB_PUBLIC_URL (a placeholder to replace) is https`);
    }
  }
  // The intake reads its mailbox in prod, with the password from its Secret.
  const intake = configMaps.get('invoice-intake-config');
  assert.match(intake.IOB_IMAP_URL, /^imaps?:\/\//, 'prod invoice-intake: IOB_IMAP_URL (a placeholder to replace)');
  assert.ok(intake.IOB_IMAP_USER, 'prod invoice-intake: IOB_IMAP_USER');
  assert.equal(intake.IOB_IMAP_PLAIN, 'false', 'prod invoice-intake: IMAP over TLS');
  assert.match(intake.IOB_IMAP_PASSWORD_FILE, /^\/etc\/iob\/imap\//, 'prod invoice-intake: IOB_IMAP_PASSWORD_FILE');
  const roleSecrets = checkCnpg(objs);

  const wantSecrets = ['credentials-keyring', 'iob-tokens', 'iob-db-ca', 'invoice-intake-imap'];
  for (const [name, { peerScopes }] of Object.entries(services)) {
    wantSecrets.push(`${name}-db`, `${name}-db-role`, `${name}-tls`, ...(peerScopes.length ? [`${name}-credentials-token`] : []));
  }
  const referenced = [...referencedSecrets(objs), ...roleSecrets];
  assert.deepEqual(referenced.sort(), wantSecrets.sort(), 'prod: the Secrets the objects need');
  const [listed, optional] = readmeProdSecrets();
  assert.deepEqual(listed.sort(), wantSecrets.sort(), 'prod: k8s/README.md lists exactly the Secrets the objects need');
  for (const name of optional) {
    assert.ok(objs.some((o) => podSpecOf(o)?.volumes?.some((v) => v.secret?.secretName === name && v.secret.optional)),
              `prod: README's optional Secret ${name} is no optional volume`);
  }
});

test('monitoring: ServiceMonitors and PrometheusRule', { skip }, (t) => {
  const objs = render('monitoring');
  checkCommon('monitoring', objs);
  for (const s of serviceNames) {
    const sm = objs.find((o) => o.kind === 'ServiceMonitor' && o.metadata.name === s);
    assert.ok(sm, `no ServiceMonitor ${s}`);
    assert.equal(sm.spec.endpoints[0].port, 'metrics');
    assert.equal(sm.spec.selector.matchLabels['app.kubernetes.io/name'], s);
  }
  const rule = objs.find((o) => o.kind === 'PrometheusRule');
  const exprs = rule.spec.groups.flatMap((g) => g.rules.map((r) => r.expr)).join('\n');
  for (const m of ['grpc_server_handled_total', 'grpc_server_handling_seconds_bucket', 'iob_punchout_sessions_started_total',
                   'iob_dispatch_oldest_undelivered_age_seconds', 'iob_dispatch_dead_letters_total',
                   'iob_dispatch_unconfirmed_orders']) {
    assert.ok(exprs.includes(m), `no alert on ${m}`);
  }
  // The alerts for every service cover them all.
  for (const [, jobs] of exprs.matchAll(/job=~"([^"]*)"/g)) {
    assert.deepEqual(jobs.split('|').sort(), [...serviceNames].sort(), `job=~"${jobs}" must name every service`);
  }
  // Alerts (recording rules carry no severity or annotations).
  for (const r of rule.spec.groups.flatMap((g) => g.rules).filter((x) => x.alert)) {
    assert.ok(r.labels?.severity && r.annotations?.summary && r.annotations?.description, `${r.alert}: severity, summary, description`);
  }
  if (!fs.existsSync('/usr/bin/promtool')) { t.diagnostic('promtool not installed: rules not checked'); return; }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iob-rules-'));
  try {
    const file = path.join(dir, 'rules.yaml');
    fs.writeFileSync(file, YAML.stringify({ groups: rule.spec.groups }));
    const r = spawnSync('/usr/bin/promtool', ['check', 'rules', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, `promtool check rules:\n${r.stdout}${r.stderr}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
