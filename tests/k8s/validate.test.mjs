// Renders every kustomize overlay offline, validates each object against the
// Kubernetes schemas (kubernetes-models) and checks the house rules of
// /work/shared/STYLE.md "Operations". Needs kubectl (Debian kubernetes-client)
// and tests/node/node_modules (NODE_PATH); skips when kubectl is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
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

function render(dir) {
  const out = execFileSync('kubectl', ['kustomize', path.join(k8s, dir)],
                           { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return YAML.parseAllDocuments(out).map((d) => {
    assert.equal(d.errors.length, 0, `${dir}: ${d.errors.join('; ')}`);
    return d.toJS();
  }).filter(Boolean);
}

const id = (o) => `${o.kind}/${o.metadata?.name}`;

// kubernetes-models/<group>/<version>/<Kind>; null for kinds it does not know (CRDs).
function modelFor(obj) {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : [null, obj.apiVersion];
  const mod = group ? `kubernetes-models/${group}/${version}/${obj.kind}` : `kubernetes-models/${version}/${obj.kind}`;
  try { return require(mod)[obj.kind]; } catch { return null; }
}

const podSpecOf = (o) => (o.kind === 'Pod' ? o.spec : o.spec?.template?.spec);
const workloadKinds = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job']);

function checkCommon(dir, objs) {
  assert.ok(objs.length > 0, `${dir} renders nothing`);
  for (const o of objs) {
    const labels = o.metadata?.labels ?? {};
    assert.ok(labels['app.kubernetes.io/name'], `${dir} ${id(o)}: no app.kubernetes.io/name label`);
    assert.equal(labels['app.kubernetes.io/part-of'], 'iob', `${dir} ${id(o)}: app.kubernetes.io/part-of != iob`);
    const Model = modelFor(o);
    if (Model) new Model(o).validate(); // throws with the schema path on error
    else assert.equal(o.apiVersion, 'monitoring.coreos.com/v1', `${dir} ${id(o)}: no schema for ${o.apiVersion}`);
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
// slowest call and the grace period covers pause + drain.
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
  const slowest = Math.max(statement, env.IOB_SUPPLIER_TIMEOUT ? seconds(env.IOB_SUPPLIER_TIMEOUT, at) : 0);
  assert.ok(drain > slowest, `${at}: Finding10 IOB_DRAIN_TIMEOUT ${drain}s must exceed the slowest call (${slowest}s)`);
  assert.ok(spec.terminationGracePeriodSeconds >= pause + drain + 5,
            `${at}: Finding10 terminationGracePeriodSeconds must cover IOB_SHUTDOWN_PAUSE + IOB_DRAIN_TIMEOUT + 5s`);
}

function checkWorkloads(dir, objs) {
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
      if (o.kind === 'Job') continue;
      assert.ok(c.livenessProbe && c.readinessProbe, `${at}: liveness and readiness probes`);
      const grpcPort = (c.ports ?? []).find((p) => p.name === 'grpc');
      if (o.kind === 'Deployment' && o.metadata.name !== 'supplier-sim') {
        // The iob services: native gRPC probes (grpc.health.v1) on the grpc
        // port, or, when that port is TLS-only, on the plaintext health port
        // (IOB_HEALTH_LISTEN) that serves nothing but health.
        assert.ok(grpcPort, `${at}: no port named grpc`);
        const env = {};
        for (const ref of c.envFrom ?? []) Object.assign(env, configMaps.get(ref.configMapRef?.name) ?? {});
        for (const e of c.env ?? []) env[e.name] = e.value ?? e.valueFrom;
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

test('base renders with both services', { skip }, () => {
  const objs = render('base');
  checkCommon('base', objs);
  checkWorkloads('base', objs);
  for (const s of ['credentials', 'punchout']) {
    for (const kind of ['Deployment', 'Service', 'PodDisruptionBudget', 'NetworkPolicy', 'ServiceAccount', 'ConfigMap']) {
      assert.ok(objs.some((o) => o.kind === kind && o.metadata.labels['app.kubernetes.io/name'] === s), `base: no ${kind} for ${s}`);
    }
  }
  assert.ok(!objs.some((o) => o.kind === 'Secret'), 'base must not contain Secrets');
});

test('dev overlay: iob-dev, postgres, simulator, fake secrets', { skip }, () => {
  const objs = render('overlays/dev');
  checkCommon('dev', objs);
  checkWorkloads('dev', objs);
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
  assert.match(cm['punchout-config'].IOB_PLAIN_HTTP_HOSTS, /supplier-sim:8200/);
  for (const name of ['credentials-config', 'punchout-config']) {
    assert.equal(cm[name].IOB_REFLECTION, 'true', `dev ${name}: reflection on in dev`);
  }
  // Every Secret a pod refers to is in the overlay.
  const secrets = new Set(objs.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name));
  for (const name of referencedSecrets(objs)) assert.ok(secrets.has(name), `dev: Secret ${name} is referenced but missing`);
});

function referencedSecrets(objs) {
  const names = new Set();
  for (const o of objs.filter((x) => workloadKinds.has(x.kind))) {
    const spec = podSpecOf(o);
    for (const v of spec.volumes ?? []) if (v.secret) names.add(v.secret.secretName);
    for (const c of spec.containers) for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) names.add(e.valueFrom.secretKeyRef.name);
  }
  return names;
}

test('prod overlay: iob, 3 replicas, no secret data committed', { skip }, () => {
  const objs = render('overlays/prod');
  checkCommon('prod', objs);
  checkWorkloads('prod', objs);
  for (const o of objs) assert.equal(o.metadata.namespace, 'iob', id(o));
  for (const s of objs.filter((o) => o.kind === 'Secret')) {
    assert.ok(!s.data && !s.stringData, `prod ${id(s)} carries data: prod Secrets are created out of band`);
  }
  for (const d of objs.filter((o) => o.kind === 'Deployment')) assert.equal(d.spec.replicas, 3, id(d));
  for (const c of objs.filter((o) => o.kind === 'ConfigMap')) {
    assert.equal(c.data.IOB_REFLECTION, 'false', `prod ${id(c)}: Finding15 reflection must be off in prod`);
    assert.ok(seconds(c.data.IOB_SHUTDOWN_PAUSE, id(c)) > 0, `prod ${id(c)}: Finding10 a shutdown pause`);
  }
  assert.ok(!objs.some((o) => ['StatefulSet', 'Job'].includes(o.kind)), 'prod: no in-cluster Postgres');
  // Finding1: every iob service serves mTLS in prod, and punchout dials credentials with it.
  for (const d of objs.filter((o) => o.kind === 'Deployment')) {
    const env = Object.fromEntries((d.spec.template.spec.containers[0].env ?? []).map((e) => [e.name, e.value]));
    assert.ok(env.IOB_TLS_CERT_FILE && env.IOB_TLS_CLIENT_CA_FILE, `prod ${id(d)}: Finding1 serves mTLS`);
    if (d.metadata.name === 'punchout') {
      assert.ok(env.IOB_CREDENTIALS_CA_FILE && env.IOB_CREDENTIALS_CERT_FILE, 'prod punchout: Finding1 dials credentials over mTLS');
    }
  }
  assert.deepEqual([...referencedSecrets(objs)].sort(),
                   ['credentials-db', 'credentials-keyring', 'credentials-tls', 'iob-tokens', 'punchout-credentials-token',
                    'punchout-db', 'punchout-tls'],
                   'prod: the Secrets k8s/README.md lists');
});

test('monitoring: ServiceMonitors and PrometheusRule', { skip }, (t) => {
  const objs = render('monitoring');
  checkCommon('monitoring', objs);
  for (const s of ['credentials', 'punchout']) {
    const sm = objs.find((o) => o.kind === 'ServiceMonitor' && o.metadata.name === s);
    assert.ok(sm, `no ServiceMonitor ${s}`);
    assert.equal(sm.spec.endpoints[0].port, 'metrics');
    assert.equal(sm.spec.selector.matchLabels['app.kubernetes.io/name'], s);
  }
  const rule = objs.find((o) => o.kind === 'PrometheusRule');
  const exprs = rule.spec.groups.flatMap((g) => g.rules.map((r) => r.expr)).join('\n');
  for (const m of ['grpc_server_handled_total', 'grpc_server_handling_seconds_bucket', 'iob_punchout_sessions_started_total']) {
    assert.ok(exprs.includes(m), `no alert on ${m}`);
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
