// The metric names k8s/monitoring uses: every PromQL expression of the
// PrometheusRule (alerts and recording rules) and of the Grafana dashboards
// (panel targets and template-variable queries), and the names the recording
// rules define. tests/k8s/alerts.test.mjs checks the reading;
// tests/integration/metrics/metric_names_test.cc runs this file and compares
// the names with what the services export:
//
//   node tests/k8s/monitoring_names.mjs
//   {"used": {"<metric>": ["<file>: <alert, rule or panel>", ...], ...},
//    "recorded": ["<recording rule name>", ...]}
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// `yaml` from the test tools (tests/node/node_modules), without NODE_PATH.
const YAML = createRequire(path.join(root, 'tests/node/package.json'))('yaml');

export const monitoringDir = path.join(root, 'k8s/monitoring');

// Words of PromQL that look like metric names but are not.
const keywords = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or',
                          'unless', 'bool', 'offset', 'atan2', 'inf', 'nan']);

// The metric names an expression selects. Strings, label matchers ({...}),
// ranges ([...]) and grouping labels (by (...), on (...)) are dropped first;
// of the words left, a function or aggregation is followed by "(", a Grafana
// variable starts with "$", a number with a digit. Expressions selecting by
// {__name__=...} are not understood (none of ours does).
export function promqlMetricNames(expr) {
  const text = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/(?<![\w:.$])\d[\w.]*/g, ' ');
  const names = new Set();
  for (const m of text.matchAll(/(\$?)([A-Za-z_:][\w:]*)(\s*\()?/g)) {
    const [, dollar, word, call] = m;
    if (dollar || call || keywords.has(word.toLowerCase())) continue;
    names.add(word);
  }
  return names;
}

// The selector of a Grafana template query label_values(<selector>, <label>)
// ("" for label_values(<label>) and for other queries).
function templateSelector(query) {
  const m = /^\s*label_values\((.*),\s*\w+\s*\)\s*$/s.exec(query ?? '');
  return m ? m[1] : '';
}

// The PrometheusRule's groups.
export function ruleGroups() {
  const doc = YAML.parse(fs.readFileSync(path.join(monitoringDir, 'prometheusrule.yaml'), 'utf8'));
  return doc.spec.groups;
}

// The dashboards: [{file, json}], by file name.
export function dashboards() {
  const dir = path.join(monitoringDir, 'dashboards');
  return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => ({ file: `dashboards/${f}`, json: JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) }));
}

// Every panel of a dashboard, those inside rows included.
export function panelsOf(dashboard) {
  return (dashboard.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);
}

// Every PromQL expression of k8s/monitoring: [{where, expr}].
export function expressions() {
  const out = [];
  for (const g of ruleGroups()) {
    for (const r of g.rules) out.push({ where: `prometheusrule.yaml: ${r.alert ?? r.record}`, expr: r.expr });
  }
  for (const { file, json } of dashboards()) {
    for (const p of panelsOf(json)) {
      for (const t of p.targets ?? []) out.push({ where: `${file}: ${p.title}`, expr: t.expr });
    }
    for (const v of json.templating?.list ?? []) {
      const selector = templateSelector(typeof v.query === 'string' ? v.query : v.query?.query);
      if (selector) out.push({ where: `${file}: variable ${v.name}`, expr: selector });
    }
  }
  return out;
}

// {used: Map name -> [where...], recorded: Set of recording-rule names}.
export function monitoringMetricNames() {
  const used = new Map();
  for (const { where, expr } of expressions()) {
    for (const name of promqlMetricNames(expr)) {
      if (!used.has(name)) used.set(name, []);
      if (!used.get(name).includes(where)) used.get(name).push(where);
    }
  }
  const recorded = new Set(ruleGroups().flatMap((g) => g.rules.filter((r) => r.record).map((r) => r.record)));
  return { used, recorded };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { used, recorded } = monitoringMetricNames();
  process.stdout.write(`${JSON.stringify({ used: Object.fromEntries(used), recorded: [...recorded] }, null, 1)}\n`);
}
