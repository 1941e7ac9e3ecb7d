#!/usr/bin/env node
// How long `/health` takes to answer while a real `saker server local` is attacked the ways the
// hardening issue lists: expressions that never end, catastrophic regular expressions, a 5.6 MB
// flow of 30,000 tasks (created, updated, validated, imported in bulk, read), huge outputs,
// 100,000 log lines, parser bombs, an oversized body and a large bulk import.
// A worker thread asks `/health` every 20 ms on its own keep-alive connection and records each
// answer's latency; the table prints p50, p99 and the worst per attack. Target: p99 < 100 ms.
//   node bench/health-under-attack.bench.mjs            (after npm run build)
//   node bench/health-under-attack.bench.mjs jq regex   (only the attacks whose name matches)
// Not a test: it prints figures and exits 0 unless the server could not be started.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const ONLY = process.argv.slice(2);
const FROZEN_MS = 15_000;

const percentile = (values, p) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

// ---------------------------------------------------------------------------------------------
// The server under attack and the /health prober.

async function startServer() {
  const home = mkdtempSync(join(tmpdir(), "saker-attack-"));
  const child = spawn(process.execPath, [join(ROOT, "bin/saker.js"), "server", "local", "--port", "0"], {
    cwd: home,
    env: {
      ...process.env,
      SAKER_HOME: home,
      SAKER_SERVER_MAXREQUESTSIZE: String(16 * 1024 * 1024),
      SECRET_TOKEN: Buffer.from("s3cr3t-value").toString("base64"),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const url = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`server did not start\n${stderr}`)), 30_000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = /Saker API on (http:\/\/[^\s]+)\/api\/v1/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on("exit", (code) => reject(new Error(`server exited with ${code}\n${stderr}`)));
  });
  for (let i = 0; i < 300; i++) {
    const r = await fetch(`${url}/health`).catch(() => undefined);
    if (r?.status === 200) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    api: `${url}/api/v1`,
    async stop() {
      child.kill("SIGKILL");
      await new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)));
      rmSync(home, { recursive: true, force: true });
    },
  };
}

const PROBE = `
import { parentPort, workerData } from "node:worker_threads";
import http from "node:http";
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let phase = null;
let stopped = false;
parentPort.on("message", (m) => { if (m.phase !== undefined) phase = m.phase; if (m.stop) stopped = true; });
const once = () => new Promise((resolve) => {
  const started = performance.now();
  const req = http.get(workerData.url + "/health", { agent, timeout: ${FROZEN_MS} }, (res) => {
    res.resume();
    res.on("end", () => resolve(performance.now() - started));
  });
  req.on("timeout", () => { req.destroy(); resolve(${FROZEN_MS}); });
  req.on("error", () => resolve(null));
});
while (!stopped) {
  const current = phase;
  const ms = await once();
  if (current !== null && ms !== null) parentPort.postMessage({ phase: current, ms });
  await new Promise((r) => setTimeout(r, 20));
}
agent.destroy();
parentPort.postMessage({ done: true });
`;

function startProbe(url) {
  const worker = new Worker(PROBE, { eval: true, workerData: { url } });
  const samples = new Map();
  worker.on("message", (m) => {
    if (m.phase !== undefined) {
      if (!samples.has(m.phase)) samples.set(m.phase, []);
      samples.get(m.phase).push(m.ms);
    }
  });
  return {
    samples,
    phase: (name) => worker.postMessage({ phase: name }),
    async stop() {
      worker.postMessage({ stop: true });
      await new Promise((r) => worker.on("message", (m) => m.done && r()));
      await worker.terminate();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// API helpers.

async function call(api, method, path, body, headers = {}) {
  const r = await fetch(`${api}${path}`, { method, body, headers, signal: AbortSignal.timeout(60_000) });
  const text = await r.text();
  return { status: r.status, text };
}

const deploy = (api, yaml) => call(api, "POST", "/flows", yaml, { "Content-Type": "application/x-yaml" });

async function runFlow(api, namespace, id, timeoutMs = 60_000) {
  const created = await call(api, "POST", `/executions/${namespace}/${id}`, new FormData());
  if (created.status >= 300) return `not started (${created.status})`;
  const executionId = JSON.parse(created.text).id;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const r = await call(api, "GET", `/executions/${executionId}`).catch(() => undefined);
    const state = r && r.status === 200 ? JSON.parse(r.text).state.current : undefined;
    if (state && ["SUCCESS", "FAILED", "WARNING", "KILLED", "CANCELLED"].includes(state)) return state;
    await new Promise((r) => setTimeout(r, 100));
  }
  return "still running";
}

const flow = (id, tasks, extra = "") => `id: ${id}\nnamespace: attack\n${extra}tasks:\n${tasks}`;
/** The flow of the issue: 30,000 Return tasks, 5.6 MB (`extra` goes on the first task). */
const manyTasks = (id, extra = "") => {
  let yaml = `id: ${id}\nnamespace: attack\ntasks:\n`;
  for (let i = 0; i < 30_000; i++)
    yaml += `  - id: t${i}\n    type: io.kestra.plugin.core.debug.Return\n    description: "${"d".repeat(80)}"\n    format: "{{ task.id }}"\n${i === 0 ? extra : ""}`;
  return yaml;
};
const returnTask = (format, extra = "") =>
  `  - id: t\n    type: io.kestra.plugin.core.debug.Return\n    format: ${JSON.stringify(format)}\n${extra}`;

// ---------------------------------------------------------------------------------------------
// The attacks. Each returns a short description of how it ended.

const ATTACKS = {
  async "jq endless recursion"(api) {
    await deploy(api, flow("jqrec", returnTask("{{ 1 | jq('def f: f; f') }}", "    timeout: PT5S\n")));
    return runFlow(api, "attack", "jqrec");
  },
  async "jq range(1e10)"(api) {
    await deploy(api, flow("jqrange", returnTask("{{ 1 | jq('last(range(1e10))') }}", "    timeout: PT5S\n")));
    return runFlow(api, "attack", "jqrange");
  },
  async "regex catastrophic backtracking"(api) {
    await deploy(
      api,
      flow("redos", returnTask("{{ 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!' | replace({'^(a+)+$': 'x'}, regexp=true) }}")),
    );
    return runFlow(api, "attack", "redos");
  },
  async "REGEX search filters"(api) {
    await deploy(api, flow("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-b", returnTask("x")));
    const statuses = [];
    for (let i = 0; i < 10; i++) {
      statuses.push(
        (await call(api, "GET", `/flows/search?filters[id][REGEX]=${encodeURIComponent("^(a+)+$")}`)).status,
      );
      statuses.push(
        (await call(api, "GET", `/executions/search?filters[flowId][REGEX]=${encodeURIComponent("^(a+)+$")}`)).status,
      );
    }
    return `statuses ${[...new Set(statuses)].join(",")}`;
  },
  async "5.6 MB flow (30,000 tasks): POST /flows"(api) {
    return `status ${(await deploy(api, manyTasks("bigflow"))).status}`;
  },
  async "5.6 MB flow (30,000 tasks): PUT /flows/{ns}/{id}"(api) {
    const r = await call(api, "PUT", "/flows/attack/bigflow", manyTasks("bigflow", "    timeout: PT1M\n"), {
      "Content-Type": "application/x-yaml",
    });
    return `status ${r.status}`;
  },
  async "5.6 MB flow (30,000 tasks): POST /flows/validate"(api) {
    const r = await call(api, "POST", "/flows/validate", manyTasks("bigflow"), {
      "Content-Type": "application/x-yaml",
    });
    return `status ${r.status}`;
  },
  async "5.6 MB flow (30,000 tasks): POST /flows/bulk"(api) {
    const r = await call(api, "POST", "/flows/bulk", manyTasks("bigbulk"), { "Content-Type": "application/x-yaml" });
    return `status ${r.status}`;
  },
  async "5.6 MB flow (30,000 tasks): read and searched"(api) {
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await call(api, "GET", "/flows/attack/bigflow")).status);
      statuses.push((await call(api, "GET", "/flows/search?size=5")).status);
    }
    return `statuses ${[...new Set(statuses)].join(",")}`;
  },
  async "10 executions with 10 MB outputs, then search"(api) {
    await deploy(
      api,
      flow(
        "bigoutput",
        returnTask(
          "{% for i in range(1, 90000) %}0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuv{% endfor %}",
        ),
      ),
    );
    const states = [];
    for (let i = 0; i < 10; i++) states.push(await runFlow(api, "attack", "bigoutput", 120_000));
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(api, "GET", "/executions/search?size=1")).status);
    return `runs ${[...new Set(states)].join(",")}; search ${[...new Set(statuses)].join(",")}`;
  },
  async "100,000 log lines"(api) {
    const messages = Array.from({ length: 1000 }, (_, i) => `          - "line ${i} of {{ taskrun.value }}"`).join(
      "\n",
    );
    await deploy(
      api,
      flow(
        "manylogs",
        `  - id: each\n    type: io.kestra.plugin.core.flow.ForEach\n    values: "{{ range(1, 100) }}"\n    tasks:\n      - id: log\n        type: io.kestra.plugin.core.log.Log\n        message:\n${messages}\n`,
      ),
    );
    return runFlow(api, "attack", "manylogs", 300_000);
  },
  async "YAML alias bombs and 10,000-deep documents"(api) {
    const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++)
      laughs.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(",")}]`,
      );
    const bomb = `id: bomb\nnamespace: attack\n${laughs.join("\n")}\ntasks:\n${returnTask("x")}`;
    const deepJson = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
    const deepYaml = `id: deep\nnamespace: attack\nx: ${"[".repeat(10_000)}${"]".repeat(10_000)}\ntasks:\n${returnTask("x")}`;
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await deploy(api, bomb)).status);
      statuses.push((await deploy(api, deepYaml)).status);
      statuses.push(
        (await call(api, "POST", "/flows/enable/by-ids", deepJson, { "Content-Type": "application/json" })).status,
      );
    }
    return `statuses ${[...new Set(statuses)].join(",")}`;
  },
  async "oversized body on a kept-alive connection"(api) {
    const body = "x".repeat(20 * 1024 * 1024);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await deploy(api, body).catch(() => ({ status: "reset" }))).status);
    statuses.push((await call(api, "GET", "/flows/search?size=1")).status);
    return `statuses ${statuses.join(",")}`;
  },
  async "bulk import of 1,500 flows"(api) {
    const docs = Array.from({ length: 1500 }, (_, i) => flow(`bulk${i}`, returnTask(`{{ 'flow ${i}' }}`))).join(
      "\n---\n",
    );
    const r = await call(api, "POST", "/flows/bulk", docs, { "Content-Type": "application/x-yaml" });
    return `status ${r.status}`;
  },
};

// ---------------------------------------------------------------------------------------------

const selected = Object.entries(ATTACKS).filter(
  ([name]) => ONLY.length === 0 || ONLY.some((o) => name.toLowerCase().includes(o.toLowerCase())),
);
const rows = [];
let server = await startServer();
let probe = startProbe(server.url);
let idle;
try {
  probe.phase("idle");
  await new Promise((r) => setTimeout(r, 1000));
  probe.phase(null);
  await new Promise((r) => setTimeout(r, 50));
  idle = probe.samples.get("idle") ?? [];
  for (const [name, attack] of selected) {
    process.stderr.write(`attack: ${name}…\n`);
    probe.phase(name);
    const started = performance.now();
    let outcome;
    try {
      outcome = await attack(server.api);
    } catch (error) {
      outcome = `error: ${error.message}`;
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    probe.phase(null);
    await new Promise((r) => setTimeout(r, 100));
    const healthy = await fetch(`${server.url}/health`, { signal: AbortSignal.timeout(FROZEN_MS) }).then(
      (r) => r.status === 200,
      () => false,
    );
    rows.push({ name, outcome, seconds, samples: probe.samples.get(name) ?? [], frozen: !healthy });
    if (!healthy) {
      // A frozen server would freeze every later attack too: start a fresh one.
      await probe.stop();
      await server.stop();
      server = await startServer();
      probe = startProbe(server.url);
    }
  }
} finally {
  await probe.stop();
  await server.stop();
}

const fmt = (v) => (Number.isNaN(v) ? "-" : v >= FROZEN_MS ? "frozen" : `${v.toFixed(1)} ms`);
console.log(
  `/health latency while attacked (probe every 20 ms; idle p50 ${fmt(percentile(idle, 50))}, max ${fmt(Math.max(0, ...idle))})`,
);
console.log(
  `${"attack".padEnd(48)} ${"took".padStart(7)} ${"probes".padStart(6)} ${"p50".padStart(10)} ${"p99".padStart(10)} ${"max".padStart(10)}  outcome`,
);
const all = [];
for (const row of rows) {
  all.push(...row.samples);
  console.log(
    `${row.name.padEnd(48)} ${`${row.seconds} s`.padStart(7)} ${String(row.samples.length).padStart(6)} ${fmt(percentile(row.samples, 50)).padStart(10)} ${fmt(percentile(row.samples, 99)).padStart(10)} ${fmt(Math.max(0, ...row.samples)).padStart(10)}  ${row.outcome}${row.frozen ? " (server stopped answering)" : ""}`,
  );
}
const p99 = percentile(all, 99);
console.log(`all attacks: ${all.length} probes, p99 ${fmt(p99)} (target < 100 ms: ${p99 < 100 ? "met" : "NOT met"})`);
