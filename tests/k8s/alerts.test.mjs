// The signals in k8s/monitoring, offline: `promtool check rules` on the
// PrometheusRule's groups, `promtool test rules` on tests/k8s/alerts/*.test.yaml
// (every alert has a case that fires it and one where it must stay quiet),
// every alert's runbook section in docs/runbook.md, the Grafana dashboards
// (their PromQL parses, the ConfigMap generator ships each one), and the
// metric-name reading tests/integration/metrics/metric_names_test.cc relies on.
//
// Run as `node tests/k8s/alerts.test.mjs` (ctest k8s_alerts_test). Without
// promtool (Debian package prometheus) it exits 77, which ctest shows as
// skipped and ./iob test fails on (the line goes to $IOB_SKIP_LOG); with
// IOB_REQUIRE_TOOLS=1 it fails outright.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

import { dashboards, monitoringDir, panelsOf, promqlMetricNames, ruleGroups } from './monitoring_names.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const YAML = createRequire(path.join(root, 'tests/node/package.json'))('yaml');

const promtoolCheck = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
if (promtoolCheck.error) {
  const reason = 'promtool not installed (apt-get install prometheus)';
  if (process.env.IOB_REQUIRE_TOOLS === '1') {
    console.error(`${reason}; IOB_REQUIRE_TOOLS=1`);
    process.exit(1);
  }
  console.log(`SKIPPED: ${reason}`);
  if (process.env.IOB_SKIP_LOG) fs.appendFileSync(process.env.IOB_SKIP_LOG, `k8s_alerts_test promtool: ${reason}\n`);
  process.exit(77);
}

function promtool(args, cwd) {
  const r = spawnSync('promtool', args, { encoding: 'utf8', cwd });
  assert.equal(r.status, 0, `promtool ${args.join(' ')}:\n${r.stdout}${r.stderr}`);
}

function withTempDir(fn) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iob-alerts-'));
  try {
    return fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const groups = ruleGroups();
const rules = groups.flatMap((g) => g.rules);
const alerts = rules.filter((r) => r.alert);
const testDir = path.join(here, 'alerts');
const testFiles = fs.readdirSync(testDir).filter((f) => f.endsWith('.test.yaml')).sort();

test('every alert says how bad, what and where its runbook section is', () => {
  const runbook = fs.readFileSync(path.join(root, 'docs/runbook.md'), 'utf8');
  const sections = new Set([...runbook.matchAll(/^## (\S+)$/gm)].map((m) => m[1]));
  assert.ok(alerts.length > 0, 'no alerts');
  for (const r of alerts) {
    assert.ok(['critical', 'warning'].includes(r.labels?.severity), `${r.alert}: severity critical or warning`);
    assert.ok(r.annotations?.summary && r.annotations?.description, `${r.alert}: summary and description`);
    // GitHub's anchor of "## IobFoo" is "#iobfoo".
    assert.equal(r.annotations.runbook_url, `docs/runbook.md#${r.alert.toLowerCase()}`, `${r.alert}: runbook_url`);
    assert.ok(sections.has(r.alert), `${r.alert}: no "## ${r.alert}" section in docs/runbook.md`);
  }
  const names = new Set(alerts.map((r) => r.alert));
  for (const s of sections) {
    if (s.startsWith('Iob')) assert.ok(names.has(s), `docs/runbook.md: section ${s} is about no alert`);
  }
  assert.equal(names.size, alerts.length, 'alert names must be unique');
});

test('recording rules are named level:metric:operations and used', () => {
  const consumers = [
    ...rules.map((r) => r.expr),
    ...dashboards().flatMap(({ json }) => panelsOf(json).flatMap((p) => (p.targets ?? []).map((t) => t.expr))),
  ];
  for (const r of rules.filter((x) => x.record)) {
    assert.match(r.record, /^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$/, `${r.record}: level:metric:operations`);
    assert.ok(consumers.some((e) => promqlMetricNames(e).has(r.record)), `${r.record}: recorded, used by no rule or panel`);
  }
});

test('promtool check rules', () => withTempDir((dir) => {
  fs.writeFileSync(path.join(dir, 'rules.yaml'), YAML.stringify({ groups }));
  promtool(['check', 'rules', 'rules.yaml'], dir);
}));

test('promtool test rules: every alert fires in one case and stays quiet in another', () => {
  const fired = new Set();
  const quiet = new Set();
  for (const f of testFiles) {
    const doc = YAML.parse(fs.readFileSync(path.join(testDir, f), 'utf8'));
    assert.deepEqual(doc.rule_files, ['rules.yaml'], `${f}: rule_files must be [rules.yaml] (written by this test)`);
    for (const t of doc.tests) {
      for (const a of t.alert_rule_test ?? []) ((a.exp_alerts ?? []).length ? fired : quiet).add(a.alertname);
    }
  }
  for (const r of alerts) {
    assert.ok(fired.has(r.alert), `${r.alert}: no case in tests/k8s/alerts fires it`);
    assert.ok(quiet.has(r.alert), `${r.alert}: no case in tests/k8s/alerts where it must not fire`);
  }
  for (const name of [...fired, ...quiet]) assert.ok(alerts.some((r) => r.alert === name), `tests/k8s/alerts: ${name} is no alert`);
  // The cases compare summary and runbook_url; the descriptions are prose
  // promtool check rules already parsed, left out so the cases stay short.
  withTempDir((dir) => {
    const short = groups.map((g) => ({
      ...g,
      rules: g.rules.map((r) => (r.annotations ? { ...r, annotations: { ...r.annotations, description: undefined } } : r)),
    }));
    fs.writeFileSync(path.join(dir, 'rules.yaml'), YAML.stringify({ groups: short }));
    for (const f of testFiles) fs.copyFileSync(path.join(testDir, f), path.join(dir, f));
    promtool(['test', 'rules', ...testFiles], dir);
  });
});

test('dashboards: Grafana JSON whose queries parse, shipped with the sidecar label', () => {
  const boards = dashboards();
  assert.ok(boards.length >= 4, 'overview, punchout, dispatch, invoice intake');
  const uids = new Set();
  const queries = [];
  for (const { file, json } of boards) {
    assert.ok(json.uid && !uids.has(json.uid), `${file}: a unique uid`);
    uids.add(json.uid);
    assert.match(json.title, /^iob \/ /, `${file}: title "iob / ..."`);
    assert.ok(json.tags?.includes('iob'), `${file}: tag iob (the dashboards link each other by it)`);
    assert.ok(json.templating.list.some((v) => v.type === 'datasource' && v.name === 'datasource'), `${file}: $datasource`);
    const ids = new Set();
    for (const p of panelsOf(json)) {
      assert.ok(!ids.has(p.id), `${file}: panel id ${p.id} twice`);
      ids.add(p.id);
      assert.ok(p.gridPos.x + p.gridPos.w <= 24, `${file} ${p.title}: wider than the grid`);
      if (p.type === 'row') continue;
      assert.equal(p.datasource?.uid, '${datasource}', `${file} ${p.title}: datasource \${datasource}`);
      assert.ok(p.targets?.length, `${file} ${p.title}: no query`);
      for (const t of p.targets) queries.push({ where: `${file} ${p.title}`, expr: t.expr });
    }
  }
  // Grafana's interval variables, as Prometheus sees them after Grafana
  // substituted them; other variables only occur inside label matchers.
  const asPromql = (e) => e.replaceAll('$__rate_interval', '5m').replaceAll('$__range', '1h').replaceAll('$__interval', '1m');
  withTempDir((dir) => {
    const rulesOf = queries.map((q, i) => ({ record: `dashboard:query:${i}`, expr: asPromql(q.expr) }));
    fs.writeFileSync(path.join(dir, 'queries.yaml'), YAML.stringify({ groups: [{ name: 'dashboards', rules: rulesOf }] }));
    promtool(['check', 'rules', 'queries.yaml'], dir);
  });
  // kubectl apply keeps the object in an annotation of at most 256 KiB.
  const bytes = boards.reduce((n, b) => n + JSON.stringify(b.json).length, 0);
  assert.ok(bytes < 200 * 1024, `dashboards take ${bytes} bytes: split the ConfigMap`);
  const kustomization = YAML.parse(fs.readFileSync(path.join(monitoringDir, 'kustomization.yaml'), 'utf8'));
  const generators = kustomization.configMapGenerator ?? [];
  for (const { file } of boards) {
    const g = generators.find((x) => (x.files ?? []).includes(file));
    assert.ok(g, `k8s/monitoring/kustomization.yaml: no configMapGenerator ships ${file}`);
    assert.equal(g.options?.labels?.grafana_dashboard, '1', `${file}: its ConfigMap needs label grafana_dashboard: "1"`);
    assert.equal(g.options?.disableNameSuffixHash, true, `${file}: its ConfigMap keeps a stable name`);
  }
});

test('metric names are read from PromQL as the metric-name test needs', () => {
  const names = (e) => [...promqlMetricNames(e)].sort();
  assert.deepEqual(names('sum by (job, le) (rate(a_seconds_bucket{job=~"x|y", code!~"2.."}[$__rate_interval]))'), ['a_seconds_bucket']);
  assert.deepEqual(names('histogram_quantile(0.99, sum(rate(b_bucket[5m]))) > 1e3 and on (job) c_total offset 1w'), ['b_bucket', 'c_total']);
  assert.deepEqual(names('job:x:ratio_rate1h > (14.4 * 0.001) unless ignoring (a) absent(up{job="p"})'), ['job:x:ratio_rate1h', 'up']);
  assert.deepEqual(names('time() - max by (mailbox) (d_timestamp_seconds{namespace="$namespace"}) > bool 600'), ['d_timestamp_seconds']);
  assert.deepEqual(names('sum without (pod) (e) / ignoring (code) group_left f'), ['e', 'f']);
  // Every file contributes names.
  const { used } = JSON.parse(spawnSync(process.execPath, [path.join(here, 'monitoring_names.mjs')], { encoding: 'utf8' }).stdout);
  const where = Object.values(used).flat().join('\n');
  for (const f of ['prometheusrule.yaml', ...dashboards().map((d) => d.file)]) assert.ok(where.includes(`${f}: `), `no names read from ${f}`);
});
