#!/usr/bin/env node
// Expression benchmarks: renders per second of representative task properties, with the parse
// cache warm (the normal case: a flow's templates are parsed once) and cold (a new template
// every time). Prints medians of several rounds; not a test.
//   node bench/expressions.bench.mjs          (after npm run build)
import { createExpressionEngine } from "../packages/engine/dist/expression/index.js";

const ROUNDS = Number(process.env.BENCH_RUNS ?? 7);
const DURATION_MS = Number(process.env.BENCH_MS ?? 300);

const context = {
  flow: { id: "orders", namespace: "company.team" },
  execution: { id: "4wjtkzwVGBM9yKnjm3yv8r", startDate: "2026-11-24T10:15:30.123Z" },
  inputs: { name: "world", count: 42, region: "eu-west-1", tags: ["a", "b", "c"] },
  outputs: {
    fetch: {
      size: 1000,
      uri: "kestra:///company/team/orders/executions/x/tasks/fetch/y/result.ion",
      rows: Array.from({ length: 20 }, (_, i) => ({ id: i, amount: i * 1.5, customer: `c${i}` })),
    },
  },
  taskrun: { value: "eu", attemptsCount: 0 },
  vars: { bucket: "s3://data-lake" },
};

const TEMPLATES = {
  "plain text (no expression)": "select * from orders limit 1000",
  "one variable": "{{ inputs.name }}",
  "string with variables and a filter":
    "Hello {{ inputs.name | upper }} from {{ flow.namespace }}/{{ flow.id }} ({{ execution.id }})",
  "path building with defaults":
    "{{ vars.bucket }}/{{ inputs.region ?? 'us' }}/{{ execution.startDate | date('yyyy/MM/dd') }}/part-{{ taskrun.attemptsCount }}.csv",
  "condition (typed)": "{{ outputs.fetch.size > 0 and inputs.count is even }}",
  "loop over 20 rows":
    "{% for row in outputs.fetch.rows %}{{ row.customer }}={{ row.amount | numberFormat('#.00') }};{% endfor %}",
  "json of a list of maps": "{{ outputs.fetch.rows | toJson }}",
};

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function rate(render) {
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    let n = 0;
    const started = performance.now();
    while (performance.now() - started < DURATION_MS) {
      for (let i = 0; i < 100; i++) render(i + n);
      n += 100;
    }
    rounds.push((n * 1000) / (performance.now() - started));
  }
  return median(rounds);
}

const engine = createExpressionEngine();
const fmt = (x) => Math.round(x).toLocaleString("en-US").padStart(12);
console.log(`template${" ".repeat(38)}   warm renders/s  µs/render   cold renders/s`);
for (const [name, template] of Object.entries(TEMPLATES)) {
  const options = { typed: name.includes("typed") };
  const warm = rate(() => engine.render(template, context, options));
  const cold = rate((i) => engine.render(`${template}{# ${i} #}`, context, options));
  console.log(`${name.padEnd(46)} ${fmt(warm)}  ${(1e6 / warm).toFixed(2).padStart(9)}  ${fmt(cold)}`);
}
