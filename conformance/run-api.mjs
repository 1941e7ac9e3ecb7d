// API conformance runner: plays ../shared/conformance/kestra/not-single-run.yaml and
// conformance/server-scenarios.yaml through the REST API of a real `saker server local`, started on a
// temporary data folder with every flow of ../shared/conformance/kestra/flows/ imported. From the
// project root (after `npm ci`):
//   node conformance/run-api.mjs [--manifest A.yaml[,B.yaml]] [--flows DIR] [--only TEXT] [--skip TEXT[,TEXT]] [--strict] [--keep]
// Prints one line per scenario, a table per category, then "N passed, M failed". The steps and
// checks of each scenario follow its `scenario` and `expect` text; they live in SCENARIOS below,
// keyed by the scenario's flow file (a runner's script, not engine code).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "package.json"));
const YAML = require("yaml");
const opt = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
// The shared folder sits beside the clone (../shared), or beside the folder of worktrees (../../shared).
const shared =
  [resolve(root, "..", "shared"), resolve(root, "..", "..", "shared")]
    .map((d) => join(d, "conformance", "kestra"))
    .find((d) => existsSync(d)) ?? resolve(root, "..", "shared", "conformance", "kestra");
const manifestPaths = opt(
  "--manifest",
  [join(shared, "not-single-run.yaml"), join(root, "conformance", "server-scenarios.yaml")].join(","),
).split(",");
const flowsDir = opt("--flows", join(shared, "flows"));
const only = opt("--only", "");
const skip = opt("--skip", "").split(",").filter(Boolean);
const strict = process.argv.includes("--strict");
const keep = process.argv.includes("--keep");

const TERMINAL = new Set(["SUCCESS", "WARNING", "FAILED", "KILLED", "CANCELLED", "SKIPPED", "RETRIED"]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((done) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

class Api {
  constructor(base) {
    this.base = base;
  }
  async call(method, path, body, headers = {}) {
    const init = { method, headers: { ...headers } };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.body = typeof body === "string" ? body : JSON.stringify(body);
      if (!init.headers["content-type"])
        init.headers["content-type"] = typeof body === "string" ? "application/x-yaml" : "application/json";
    }
    const response = await fetch(`${this.base}${path}`, init);
    const text = await response.text();
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, json, text };
  }
  async run(namespace, flowId, inputs) {
    let form;
    if (inputs) {
      form = new FormData();
      for (const [k, v] of Object.entries(inputs)) form.append(k, v);
    }
    const r = await this.call("POST", `/executions/${namespace}/${flowId}`, form);
    if (r.status !== 200)
      throw new Error(`create execution of ${namespace}/${flowId}: ${r.status} ${r.text.slice(0, 200)}`);
    return r.json;
  }
  async execution(id) {
    return (await this.call("GET", `/executions/${id}`)).json;
  }
  async waitFor(id, predicate, timeoutMs = 60_000, what = "condition", intervalMs = 200) {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const x = await this.execution(id);
      if (x && predicate(x)) return x;
      if (Date.now() > end)
        throw new Error(`execution ${id}: timed out waiting for ${what} (state ${x?.state?.current})`);
      await sleep(intervalMs);
    }
  }
  waitEnd(id, timeoutMs) {
    return this.waitFor(id, (x) => TERMINAL.has(x.state.current), timeoutMs, "the end");
  }
  async search(namespace, flowId) {
    const r = await this.call(
      "GET",
      `/executions/search?namespace=${encodeURIComponent(namespace)}&flowId=${encodeURIComponent(flowId)}&size=500`,
    );
    return r.json?.results ?? [];
  }
  async waitSearch(namespace, flowId, predicate, timeoutMs = 60_000, what = "executions") {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const found = await this.search(namespace, flowId);
      if (predicate(found)) return found;
      if (Date.now() > end)
        throw new Error(`${namespace}/${flowId}: timed out waiting for ${what} (${found.length} found)`);
      await sleep(300);
    }
  }
}

function expectThat(condition, message) {
  if (!condition) throw new Error(message);
}
const runsOf = (x, taskId) => x.taskRunList.filter((t) => t.taskId === taskId);
const histories = (taskRun) => taskRun.state.histories.map((h) => h.state);

async function concurrencyPair(api, flowId, secondFinal) {
  const first = await api.run("io.kestra.tests", flowId);
  const second = await api.run("io.kestra.tests", flowId);
  const [a, b] = await Promise.all([api.waitEnd(first.id, 60_000), api.waitEnd(second.id, 60_000)]);
  expectThat(a.state.current === "SUCCESS", `first ended ${a.state.current}`);
  expectThat(b.state.current === secondFinal, `second ended ${b.state.current}, expected ${secondFinal}`);
  return b;
}

const describeRuns = (x) => x.taskRunList.map((t) => `${t.taskId}:${t.state.current}`).join(", ") || "none";

/** Starts a first execution, waits until its Pause task holds it, then starts a second one. */
async function concurrencyWhilePaused(api, flowId, secondFinal) {
  const first = await api.run("io.kestra.tests", flowId);
  await api.waitFor(first.id, (x) => x.state.current === "PAUSED", 60_000, "PAUSED");
  const second = await api.run("io.kestra.tests", flowId);
  const [a, b] = await Promise.all([api.waitEnd(first.id, 60_000), api.waitEnd(second.id, 60_000)]);
  expectThat(a.state.current === "SUCCESS", `first ended ${a.state.current}`);
  expectThat(b.state.current === secondFinal, `second ended ${b.state.current}, expected ${secondFinal}`);
  return b;
}

/** A CREATE_NEW_EXECUTION retry: the first execution and its retries end RETRIED, RETRIED, FAILED. */
async function retriedAsNewExecutions(api, flowId) {
  const created = await api.run("io.kestra.tests", flowId);
  const familyOf = (xs) => xs.filter((x) => x.id === created.id || x.originalId === created.id);
  await api.waitSearch(
    "io.kestra.tests",
    flowId,
    (xs) => familyOf(xs).some((x) => x.state.current === "FAILED"),
    60_000,
    "a FAILED attempt",
  );
  await sleep(2500);
  const family = familyOf(await api.search("io.kestra.tests", flowId));
  const states = family.map((x) => x.state.current).sort();
  const detail = family
    .map((x) => `#${x.metadata.attemptNumber} ${x.state.current} ${x.state.startDate}..${x.state.endDate}`)
    .join("; ");
  expectThat(states.join() === "FAILED,RETRIED,RETRIED", `${family.length} executions: ${detail}`);
}

async function runTriggerFlow(api) {
  const upstream = await api.run("io.kestra.tests.trigger", "trigger-flow");
  const done = await api.waitEnd(upstream.id);
  expectThat(
    done.state.current === "SUCCESS" && done.taskRunList.length === 1,
    `trigger-flow ended ${done.state.current} with ${done.taskRunList.length} task runs`,
  );
  return done;
}

/** The terminated execution of `flowId` that a Flow trigger started for the upstream execution. */
async function listenerRun(api, namespace, flowId, upstreamId) {
  const found = await api.waitSearch(
    namespace,
    flowId,
    (xs) => xs.some((x) => x.trigger?.variables?.executionId === upstreamId && TERMINAL.has(x.state.current)),
    60_000,
    `the run for ${upstreamId}`,
  );
  return api.execution(found.find((x) => x.trigger?.variables?.executionId === upstreamId).id);
}

/**
 * Scenarios that only hold when the server answers within a fraction of their own delays: a kill
 * during a 1 s Sleep, retries bounded by `maxDuration` PT6S at PT2S intervals (each attempt must
 * fail well within 2 s, or a third one no longer fits, in Kestra as in Saker), and a resumed
 * execution that must end within 5 s (ResumeTest).
 */
const TIMED = new Set([
  "sleep.yml",
  "retry-new-execution-task-duration.yml",
  "retry-new-execution-flow-duration.yml",
  "resume-execution.yaml",
]);

const SCENARIOS = {
  async "pause.yaml"(api) {
    const created = await api.run("io.kestra.tests", "pause");
    const paused = await api.waitFor(created.id, (x) => x.state.current === "PAUSED", 60_000, "PAUSED");
    expectThat(paused.taskRunList.length === 1, `PAUSED with ${paused.taskRunList.length} task runs`);
    const r = await api.call("POST", `/executions/${created.id}/resume`);
    expectThat(r.status < 300, `resume answered ${r.status}`);
    const done = await api.waitEnd(created.id);
    expectThat(done.state.current === "SUCCESS", `ended ${done.state.current}`);
    expectThat(
      runsOf(done, "subtask").length === 1 && runsOf(done, "last").length === 1,
      "subtask and last did not run",
    );
    const h = histories(runsOf(done, "pause")[0]);
    expectThat(
      h.indexOf("PAUSED") >= 0 && h.indexOf("RUNNING", h.indexOf("PAUSED")) > 0,
      `pause history ${h.join(">")}`,
    );
  },
  async "pause-delay.yaml"(api) {
    const created = await api.run("io.kestra.tests", "pause-delay");
    await api.waitFor(
      created.id,
      (x) => x.state.current === "PAUSED" || x.state.histories.some((h) => h.state === "PAUSED"),
      60_000,
      "PAUSED",
    );
    const done = await api.waitEnd(created.id);
    expectThat(done.state.current === "SUCCESS", `ended ${done.state.current}`);
    expectThat(done.taskRunList.length === 3, `${done.taskRunList.length} task runs`);
  },
  async "pause-timeout.yaml"(api) {
    const created = await api.run("io.kestra.tests", "pause-timeout");
    const done = await api.waitEnd(created.id);
    expectThat(
      runsOf(done, "pause")[0]?.state.current === "FAILED",
      `pause task ${runsOf(done, "pause")[0]?.state.current}`,
    );
    expectThat(done.state.current === "FAILED", `ended ${done.state.current}`);
  },
  async "restart_last_failed.yaml"(api) {
    const created = await api.run("io.kestra.tests", "restart_last_failed");
    const failed = await api.waitEnd(created.id);
    expectThat(failed.state.current === "FAILED", `first run ended ${failed.state.current}`);
    const r = await api.call("POST", `/executions/${created.id}/restart`);
    expectThat(r.status === 200 && r.json.id === created.id, `restart answered ${r.status}`);
    const done = await api.waitFor(
      created.id,
      (x) =>
        x.state.current === "SUCCESS" ||
        (x.state.current === "FAILED" && x.state.histories.filter((h) => h.state === "FAILED").length > 1),
      60_000,
      "the end after restart",
    );
    expectThat(done.state.current === "SUCCESS", `after restart ${done.state.current}`);
    expectThat(runsOf(done, "c")[0].attempts.length === 2, `c has ${runsOf(done, "c")[0].attempts.length} attempts`);
    expectThat(
      runsOf(done, "a")[0].attempts.length === 1 && runsOf(done, "b")[0].attempts.length === 1,
      "a or b re-ran",
    );
  },
  async "restart_always_failed.yaml"(api) {
    const created = await api.run("io.kestra.tests", "restart_always_failed");
    const first = await api.waitEnd(created.id);
    expectThat(first.state.current === "FAILED", `first run ended ${first.state.current}`);
    const attempts = runsOf(first, "failStep")[0].attempts.length;
    await api.call("POST", `/executions/${created.id}/restart`);
    const done = await api.waitFor(
      created.id,
      (x) => x.state.current === "FAILED" && runsOf(x, "failStep")[0].attempts.length > attempts,
      60_000,
      "FAILED again",
    );
    expectThat(runsOf(done, "failStep")[0].attempts.length === attempts + 1, "no new attempt");
  },
  async "return.yaml"(api) {
    const created = await api.run("io.kestra.tests", "return");
    await api.waitEnd(created.id);
    const r = await api.call("POST", `/executions/${created.id}/replay`);
    expectThat(r.status === 200 && r.json.id !== created.id, `replay answered ${r.status}`);
    expectThat(r.json.originalId === created.id || r.json.parentId === created.id, "replay does not point back");
    const done = await api.waitEnd(r.json.id);
    expectThat(
      done.state.current === "SUCCESS" && done.taskRunList.length === 3,
      `replay ended ${done.state.current} with ${done.taskRunList.length} task runs`,
    );
  },
  async "sleep.yml"(api) {
    const created = await api.run("io.kestra.tests", "sleep");
    await api.waitFor(
      created.id,
      (x) => x.taskRunList.some((t) => t.state.current === "RUNNING"),
      60_000,
      "a RUNNING task run",
      20,
    );
    const r = await api.call("DELETE", `/executions/${created.id}/kill`);
    expectThat(r.status < 300, `kill answered ${r.status}`);
    const done = await api.waitEnd(created.id);
    expectThat(done.state.current === "KILLED", `ended ${done.state.current}`);
    expectThat(
      runsOf(done, "sleep")[0].state.current === "KILLED",
      `task run ${runsOf(done, "sleep")[0].state.current}`,
    );
  },
  async "flow-concurrency-queue.yml"(api) {
    const second = await concurrencyPair(api, "flow-concurrency-queue", "SUCCESS");
    expectThat(
      second.state.histories.some((h) => h.state === "QUEUED"),
      "the second was never QUEUED",
    );
  },
  async "flow-concurrency-cancel.yml"(api) {
    const second = await concurrencyPair(api, "flow-concurrency-cancel", "CANCELLED");
    expectThat(second.taskRunList.length === 0, "the second ran tasks");
  },
  async "flow-concurrency-fail.yml"(api) {
    const second = await concurrencyPair(api, "flow-concurrency-fail", "FAILED");
    expectThat(second.taskRunList.length === 0, "the second ran tasks");
  },
  async "webhook.yaml"(api) {
    const r = await api.call(
      "POST",
      "/executions/webhook/io.kestra.tests/webhook/a-secret-key?name=john",
      { a: 1 },
      { "x-test": "yes" },
    );
    expectThat(r.status === 200, `webhook answered ${r.status}`);
    const done = await api.waitEnd(r.json.id);
    expectThat(done.state.current === "SUCCESS", `ended ${done.state.current}`);
    const out = JSON.parse(runsOf(done, "out")[0].outputs.value);
    expectThat(
      out.body?.a === 1 && out.parameters?.name?.[0] === "john" && out.headers?.["x-test"]?.[0] === "yes",
      `out ${JSON.stringify(out).slice(0, 200)}`,
    );
    const wrong = await api.call("POST", "/executions/webhook/io.kestra.tests/webhook/not-the-key", { a: 1 });
    expectThat(wrong.status === 404, `wrong key answered ${wrong.status}`);
  },
  async "webhook-with-condition.yaml"(api) {
    const before = (await api.search("io.kestra.tests", "webhook-with-condition")).length;
    const no = await api.call("POST", "/executions/webhook/io.kestra.tests/webhook-with-condition/webhookKey", {
      hello: "moon",
    });
    expectThat(no.status === 204, `failing conditions answered ${no.status}`);
    expectThat(
      (await api.search("io.kestra.tests", "webhook-with-condition")).length === before,
      "an execution was created",
    );
    const yes = await api.call("POST", "/executions/webhook/io.kestra.tests/webhook-with-condition/webhookKey", {
      hello: "world",
    });
    expectThat(yes.status === 200 && yes.json?.id, `passing conditions answered ${yes.status}`);
  },
  async "schedule-trigger.yaml"(api) {
    const ns = "io.kestra.tests.schedule";
    const found = await api.waitSearch(
      ns,
      "schedule-trigger",
      (xs) => xs.some((x) => x.trigger?.id === "schedule-every-min"),
      90_000,
      "a scheduled execution",
    );
    const ticks = found.filter((x) => x.trigger?.id === "schedule-every-min").map((x) => x.trigger.variables.date);
    expectThat(new Set(ticks).size === ticks.length, "duplicate ticks");
    expectThat(
      ticks.every((d) => /:00(\.0+)?(Z|[+-]\d\d:\d\d)$/.test(d)),
      `ticks not on the minute: ${ticks.join(", ")}`,
    );
    const start = new Date(Date.now() - 10 * 60_000);
    start.setUTCSeconds(0, 0);
    const end = new Date(start.getTime() + 3 * 60_000);
    const r = await api.call("PUT", "/triggers", {
      namespace: ns,
      flowId: "schedule-trigger",
      triggerId: "schedule-every-min",
      backfill: { start: start.toISOString(), end: end.toISOString() },
    });
    expectThat(r.status === 200, `backfill answered ${r.status} ${r.text.slice(0, 200)}`);
    const wanted = [0, 1, 2, 3].map((m) => new Date(start.getTime() + m * 60_000).getTime());
    await api.waitSearch(
      ns,
      "schedule-trigger",
      (xs) =>
        wanted.every((t) =>
          xs.some((x) => x.trigger?.id === "schedule-every-min" && new Date(x.trigger.variables.date).getTime() === t),
        ),
      60_000,
      "the backfilled ticks",
    );
  },
  async "trigger-flow-listener.yaml"(api) {
    const upstream = await api.run("io.kestra.tests.trigger", "trigger-flow");
    const done = await api.waitEnd(upstream.id);
    expectThat(done.state.current === "SUCCESS", `trigger-flow ended ${done.state.current}`);
    const [listener] = await api.waitSearch(
      "io.kestra.tests.trigger",
      "trigger-flow-listener",
      (xs) => xs.some((x) => x.trigger?.variables?.executionId === upstream.id && x.state.current === "SUCCESS"),
      60_000,
      "the listener",
    );
    const mine = (await api.search("io.kestra.tests.trigger", "trigger-flow-listener")).find(
      (x) => x.trigger?.variables?.executionId === upstream.id,
    );
    expectThat(
      mine.inputs?.["from-parent"] === `from parents: ${upstream.id}`,
      `from-parent = ${mine.inputs?.["from-parent"]}`,
    );
    void listener;
  },
  async "trigger-multiplecondition-listener.yaml"(api) {
    const ns = "io.kestra.tests.trigger";
    const before = (await api.search(ns, "trigger-multiplecondition-listener")).length;
    const a = await api.run(ns, "trigger-multiplecondition-flow-a");
    await api.waitEnd(a.id);
    await sleep(1000);
    expectThat(
      (await api.search(ns, "trigger-multiplecondition-listener")).length === before,
      "the listener ran after flow-a alone",
    );
    const b = await api.run(ns, "trigger-multiplecondition-flow-b");
    await api.waitEnd(b.id);
    await api.waitSearch(
      ns,
      "trigger-multiplecondition-listener",
      (xs) => xs.length === before + 1,
      60_000,
      "the listener",
    );
    await sleep(1000);
    const after = await api.search(ns, "trigger-multiplecondition-listener");
    expectThat(after.length === before + 1, `the listener ran ${after.length - before} times`);
  },
  async "flow-trigger-preconditions-flow-listen.yaml"(api) {
    const ns = "io.kestra.tests.trigger.preconditions";
    const before = (await api.search(ns, "flow-trigger-preconditions-flow-listen")).length;
    const a = await api.run(ns, "flow-trigger-preconditions-flow-a");
    await api.waitEnd(a.id);
    await sleep(1000);
    expectThat(
      (await api.search(ns, "flow-trigger-preconditions-flow-listen")).length === before,
      "the listener ran after flow-a alone",
    );
    const b = await api.run(ns, "flow-trigger-preconditions-flow-b");
    await api.waitEnd(b.id);
    const found = await api.waitSearch(
      ns,
      "flow-trigger-preconditions-flow-listen",
      (xs) => xs.length === before + 1,
      60_000,
      "the listener",
    );
    const done = await api.waitEnd(found[0].id);
    expectThat(done.state.current === "SUCCESS", `listener ended ${done.state.current}`);
  },
  async "retry-new-execution-task-attempts.yml"(api) {
    const created = await api.run("io.kestra.tests", "retry-new-execution-task-attempts");
    const all = await api.waitSearch(
      "io.kestra.tests",
      "retry-new-execution-task-attempts",
      (xs) => {
        const family = xs.filter((x) => x.id === created.id || x.originalId === created.id);
        return family.length >= 3 && family.every((x) => TERMINAL.has(x.state.current));
      },
      60_000,
      "3 attempts",
    );
    const family = all
      .filter((x) => x.id === created.id || x.originalId === created.id)
      .sort((x, y) => x.metadata.attemptNumber - y.metadata.attemptNumber);
    expectThat(family.length === 3, `${family.length} executions`);
    expectThat(
      family.map((x) => x.metadata.attemptNumber).join() === "1,2,3",
      `attempt numbers ${family.map((x) => x.metadata.attemptNumber).join()}`,
    );
    expectThat(
      family[0].state.current === "RETRIED" &&
        family[1].state.current === "RETRIED" &&
        family[2].state.current === "FAILED",
      `states ${family.map((x) => x.state.current).join()}`,
    );
  },
  async "subflow-parent.yaml"(api) {
    const created = await api.run("io.kestra.tests", "subflow-parent");
    const done = await api.waitEnd(created.id);
    expectThat(done.state.current === "SUCCESS", `parent ended ${done.state.current}`);
    const children = (await api.search("io.kestra.tests", "subflow-child")).filter(
      (x) => x.trigger?.variables?.executionId === created.id,
    );
    expectThat(children.length === 1, `${children.length} child executions`);
    const grand = (await api.search("io.kestra.tests", "subflow-grand-child")).filter(
      (x) => x.trigger?.variables?.executionId === children[0].id,
    );
    expectThat(grand.length === 1 && grand[0].state.current === "SUCCESS", "no grand-child execution");
    expectThat(
      children[0].trigger.type === "io.kestra.plugin.core.flow.Subflow",
      `child trigger ${children[0].trigger.type}`,
    );
  },
  async "pause_no_tasks.yaml"(api) {
    const created = await api.run("io.kestra.tests", "pause_no_tasks");
    const paused = await api.waitFor(created.id, (x) => x.state.current === "PAUSED", 60_000, "PAUSED");
    expectThat(
      paused.taskRunList.length === 1 &&
        paused.taskRunList[0].taskId === "pause" &&
        paused.taskRunList[0].state.current === "PAUSED",
      `PAUSED with task runs ${describeRuns(paused)}`,
    );
    const r = await api.call("POST", `/executions/${created.id}/resume`);
    expectThat(r.status < 300, `resume answered ${r.status}`);
    const done = await api.waitEnd(created.id);
    expectThat(done.state.current === "SUCCESS", `ended ${done.state.current}`);
  },
  async "pause_on_resume.yaml"(api) {
    const created = await api.run("io.kestra.tests", "pause_on_resume");
    const paused = await api.waitFor(created.id, (x) => x.state.current === "PAUSED", 60_000, "PAUSED");
    expectThat(
      paused.taskRunList.length === 1 && paused.taskRunList[0].state.current === "PAUSED",
      `PAUSED with task runs ${describeRuns(paused)}`,
    );
    const refused = await api.call("POST", `/executions/${created.id}/resume`);
    expectThat(refused.status === 422, `resume without inputs answered ${refused.status}`);
    expectThat(
      refused.text.includes("Invalid input for `asked`, missing required input, but received `null`"),
      `resume without inputs said ${refused.text.slice(0, 300)}`,
    );
    expectThat(
      (await api.execution(created.id)).state.current === "PAUSED",
      "no longer PAUSED after the refused resume",
    );
    const form = new FormData();
    form.append("asked", "restarted");
    form.append("data", new Blob([created.id], { type: "text/plain" }), "data");
    const r = await api.call("POST", `/executions/${created.id}/resume`, form);
    expectThat(r.status < 300, `resume answered ${r.status} ${r.text.slice(0, 200)}`);
    const done = await api.waitEnd(created.id);
    expectThat(done.state.current === "SUCCESS", `ended ${done.state.current}`);
    const values = runsOf(done, "last")[0]?.outputs?.values ?? {};
    expectThat(values.asked === "restarted", `asked = ${JSON.stringify(values.asked)}`);
    expectThat(
      typeof values.data === "string" && values.data.startsWith("kestra://"),
      `data = ${JSON.stringify(values.data)}`,
    );
    const onResume = runsOf(done, "pause")[0]?.outputs?.onResume ?? {};
    expectThat(
      onResume.asked === "restarted" && onResume.data === values.data,
      `the pause task's outputs.onResume = ${JSON.stringify(onResume)}`,
    );
    const file = await api.call("GET", `/executions/${created.id}/file?path=${encodeURIComponent(values.data)}`);
    expectThat(
      file.status === 200 && file.text === created.id,
      `the file answered ${file.status} with ${JSON.stringify(file.text.slice(0, 100))}`,
    );
  },
  async "pause_on_resume_optional.yaml"(api) {
    const created = await api.run("io.kestra.tests", "pause_on_resume_optional");
    await api.waitFor(created.id, (x) => x.state.current === "PAUSED", 60_000, "PAUSED");
    const r = await api.call("POST", `/executions/${created.id}/resume`);
    expectThat(r.status < 300, `resume answered ${r.status} ${r.text.slice(0, 200)}`);
    const done = await api.waitEnd(created.id);
    expectThat(done.state.current === "SUCCESS", `ended ${done.state.current}`);
    const asked = runsOf(done, "last")[0]?.outputs?.values?.asked;
    expectThat(asked === "MISSING", `asked = ${JSON.stringify(asked)}`);
  },
  async "resume-execution.yaml"(api) {
    const pause = await api.run("io.kestra.tests", "pause");
    await api.waitFor(pause.id, (x) => x.state.current === "PAUSED", 60_000, "PAUSED");
    const resumer = await api.run("io.kestra.tests", "resume-execution", { executionId: pause.id });
    const done = await api.waitEnd(resumer.id);
    expectThat(done.state.current === "SUCCESS", `resume-execution ended ${done.state.current}`);
    await api.waitEnd(pause.id, 5_000);
  },
  async "flow-concurrency-queue-pause.yml"(api) {
    const second = await concurrencyWhilePaused(api, "flow-concurrency-queue-pause", "SUCCESS");
    const h = second.state.histories.map((x) => x.state);
    expectThat(h.slice(0, 3).join() === "CREATED,QUEUED,RUNNING", `second's history ${h.join(">")}`);
  },
  async "flow-concurrency-cancel-pause.yml"(api) {
    const second = await concurrencyWhilePaused(api, "flow-concurrency-cancel-pause", "CANCELLED");
    const h = second.state.histories.map((x) => x.state);
    expectThat(h.join() === "CREATED,CANCELLED", `second's history ${h.join(">")}`);
  },
  "retry-new-execution-task-duration.yml": (api) => retriedAsNewExecutions(api, "retry-new-execution-task-duration"),
  "retry-new-execution-flow-attempts.yml": (api) => retriedAsNewExecutions(api, "retry-new-execution-flow-attempts"),
  "retry-new-execution-flow-duration.yml": (api) => retriedAsNewExecutions(api, "retry-new-execution-flow-duration"),
  async "trigger-flow-listener-no-inputs.yaml"(api) {
    const upstream = await runTriggerFlow(api);
    const listener = await listenerRun(api, "io.kestra.tests.trigger", "trigger-flow-listener-no-inputs", upstream.id);
    expectThat(
      listener.state.current === "SUCCESS" && listener.taskRunList.length === 1,
      `listener ended ${listener.state.current} with ${listener.taskRunList.length} task runs`,
    );
    const v = listener.trigger.variables;
    expectThat(
      v.namespace === "io.kestra.tests.trigger" && v.flowId === "trigger-flow",
      `trigger variables ${JSON.stringify(v)}`,
    );
  },
  async "trigger-flow-listener-namespace-condition.yaml"(api) {
    const upstream = await runTriggerFlow(api);
    const listener = await listenerRun(
      api,
      "io.kestra.tests.trigger",
      "trigger-flow-listener-namespace-condition",
      upstream.id,
    );
    expectThat(
      listener.state.current === "SUCCESS" && listener.taskRunList.length === 1,
      `listener ended ${listener.state.current} with ${listener.taskRunList.length} task runs`,
    );
    const v = listener.trigger.variables;
    expectThat(
      v.namespace === "io.kestra.tests.trigger" && v.flowId === "trigger-flow",
      `trigger variables ${JSON.stringify(v)}`,
    );
  },
  async "trigger-flow-listener-with-pause.yaml"(api) {
    const ns = "io.kestra.tests.trigger.pause";
    const upstream = await api.run(ns, "trigger-flow-with-pause");
    const done = await api.waitEnd(upstream.id);
    expectThat(
      done.state.current === "SUCCESS" && done.taskRunList.length === 3,
      `upstream ended ${done.state.current} with ${done.taskRunList.length} task runs`,
    );
    const mine = (xs) => xs.filter((x) => x.trigger?.variables?.executionId === upstream.id);
    await api.waitSearch(
      ns,
      "trigger-flow-listener-with-pause",
      (xs) => mine(xs).length >= 4 && mine(xs).every((x) => TERMINAL.has(x.state.current)),
      60_000,
      "4 listener runs",
    );
    await sleep(500);
    // the search lists the newest first, executions started in the same millisecond too (the last
    // two states of the upstream are often one millisecond's work): reversed, they are in the order
    // they were created, which the stable sort by start date keeps
    const found = mine(await api.search(ns, "trigger-flow-listener-with-pause")).reverse();
    const runs = (await Promise.all(found.map((x) => api.execution(x.id)))).sort(
      (a, b) => Date.parse(a.state.startDate) - Date.parse(b.state.startDate),
    );
    expectThat(runs.length === 4, `${runs.length} listener runs`);
    expectThat(
      runs.every((x) => x.state.current === "SUCCESS"),
      `listener states ${runs.map((x) => x.state.current).join()}`,
    );
    const statuses = runs.map((x) => x.outputs?.status);
    expectThat(statuses.join() === "RUNNING,PAUSED,RUNNING,SUCCESS", `statuses ${statuses.join()}`);
  },
  async "trigger-multiplecondition-failed.yaml"(api) {
    const ns = "io.kestra.tests.trigger";
    const c = await api.run(ns, "trigger-multiplecondition-flow-c");
    const cDone = await api.waitEnd(c.id);
    expectThat(
      cDone.state.current === "FAILED" && cDone.taskRunList.length === 1,
      `flow-c ended ${cDone.state.current} with ${cDone.taskRunList.length} task runs`,
    );
    await sleep(1000);
    const forC = (await api.search(ns, "trigger-flow-listener-namespace-condition")).filter(
      (x) => x.trigger?.variables?.executionId === c.id,
    );
    expectThat(forC.length === 0, "the namespace-condition listener ran for the FAILED flow-c");
    const d = await api.run(ns, "trigger-multiplecondition-flow-d");
    const dDone = await api.waitEnd(d.id);
    expectThat(
      dDone.state.current === "SUCCESS" && dDone.taskRunList.length === 1,
      `flow-d ended ${dDone.state.current} with ${dDone.taskRunList.length} task runs`,
    );
    const listener = await listenerRun(api, ns, "trigger-flow-listener-namespace-condition", d.id);
    expectThat(
      listener.state.current === "SUCCESS",
      `the namespace-condition listener ended ${listener.state.current}`,
    );
    const failedListener = (await api.search(ns, "trigger-multiplecondition-failed")).filter((x) =>
      [c.id, d.id].includes(x.trigger?.variables?.executionId),
    );
    expectThat(failedListener.length === 0, "trigger-multiplecondition-failed ran");
  },
  async "trigger-flow-listener-invalid.yaml"(api) {
    const ns = "io.kestra.tests.trigger";
    const upstream = await runTriggerFlow(api);
    await listenerRun(api, ns, "trigger-flow-listener-no-inputs", upstream.id);
    await sleep(1000);
    const invalid = (await api.search(ns, "trigger-flow-listener-invalid")).filter(
      (x) => x.trigger?.variables?.executionId === upstream.id,
    );
    expectThat(
      invalid.length === 0,
      `${invalid.length} executions of the invalid listener (${invalid.map((x) => x.state.current).join()})`,
    );
  },
  async "webhook-dynamic-key.yaml"(api) {
    const r = await api.call("GET", "/executions/webhook/io.kestra.tests/webhook-dynamic-key/webhook-dynamic-key");
    expectThat(r.status === 200 && r.json?.id, `webhook answered ${r.status} ${r.text.slice(0, 200)}`);
    const done = await api.waitEnd(r.json.id);
    expectThat(done.state.current === "SUCCESS", `ended ${done.state.current}`);
    const raw = await api.call(
      "GET",
      `/executions/webhook/io.kestra.tests/webhook-dynamic-key/${encodeURIComponent("{{ flow.id }}")}`,
    );
    expectThat(raw.status === 404, `the unrendered key answered ${raw.status}`);
  },
  async "webhook-secret-key.yaml"(api) {
    const r = await api.call("GET", "/executions/webhook/io.kestra.tests/webhook-secret-key/secretKey");
    expectThat(r.status === 200 && r.json?.id, `webhook answered ${r.status} ${r.text.slice(0, 200)}`);
    const done = await api.waitEnd(r.json.id);
    expectThat(done.state.current === "SUCCESS", `ended ${done.state.current}`);
    const wrong = await api.call("GET", "/executions/webhook/io.kestra.tests/webhook-secret-key/WEBHOOK_KEY");
    expectThat(wrong.status === 404, `a wrong key answered ${wrong.status}`);
  },
  async "trigger-toggle.yaml"(api) {
    const key = { namespace: "io.kestra.tests.trigger", flowId: "trigger-toggle", triggerId: "schedule" };
    const off = await api.call("PUT", "/triggers", { ...key, disabled: true });
    expectThat(
      off.status === 200 && off.json?.disabled === true,
      `disabling answered ${off.status} ${off.text.slice(0, 200)}`,
    );
    const created = await api.run(key.namespace, key.flowId);
    const done = await api.waitEnd(created.id);
    expectThat(
      done.state.current === "SUCCESS" && done.taskRunList.length === 1,
      `ended ${done.state.current} with ${done.taskRunList.length} task runs`,
    );
    const listed = await api.call("GET", `/triggers/${key.namespace}/${key.flowId}`);
    const trigger = listed.json?.results?.find((t) => t.triggerId === key.triggerId);
    expectThat(trigger && trigger.disabled !== true, `the trigger is ${JSON.stringify(trigger)}`);
  },
};

async function startServer(home, port) {
  const child = spawn(process.execPath, [join(root, "bin", "saker.js"), "server", "local", "--port", String(port)], {
    cwd: root,
    // Kestra's build sets this secret for webhook-secret-key.yaml (base64 of "secretKey").
    env: { ...process.env, SAKER_HOME: home, SECRET_WEBHOOK_KEY: Buffer.from("secretKey").toString("base64") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  const end = Date.now() + 30_000;
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/health`);
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > end) throw new Error(`the server did not start:\n${log}`);
    await sleep(100);
  }
  return { child, log: () => log };
}

async function main() {
  const scenarios = manifestPaths
    .flatMap((path) => YAML.parse(readFileSync(path, "utf8")))
    .filter((s) => s.flow.includes(only) && !skip.some((text) => s.flow.includes(text)));
  const home = mkdtempSync(join(tmpdir(), "saker-api-conformance-"));
  const port = await freePort();
  const server = await startServer(home, port);
  const api = new Api(`http://127.0.0.1:${port}/api/v1`);
  let imported = 0;
  const refused = [];
  for (const file of readdirSync(flowsDir).sort()) {
    if (!/\.ya?ml$/.test(file)) continue;
    const r = await api.call("POST", "/flows", readFileSync(join(flowsDir, file), "utf8"));
    if (r.status === 200) imported += 1;
    else refused.push(`${file}: ${r.json?.message ?? r.status}`.slice(0, 160));
  }
  console.log(`imported ${imported} flows, ${refused.length} refused`);
  for (const line of refused) console.log(`  refused ${line}`);
  const results = [];
  const play = async (s) => {
    const run = SCENARIOS[s.flow];
    const started = Date.now();
    try {
      if (!run) throw new Error("no scenario script");
      await run(api);
      results.push({ s, ok: true, ms: Date.now() - started });
    } catch (error) {
      results.push({
        s,
        ok: false,
        ms: Date.now() - started,
        why: error instanceof Error ? error.message : String(error),
      });
    }
  };
  // Scenarios whose outcome hangs on a few seconds of wall clock play first, together, while the
  // server is otherwise idle; the rest then play all at once.
  await Promise.all(scenarios.filter((s) => TIMED.has(s.flow)).map(play));
  await Promise.all(scenarios.filter((s) => !TIMED.has(s.flow)).map(play));
  results.sort((a, b) => scenarios.indexOf(a.s) - scenarios.indexOf(b.s));
  for (const r of results)
    console.log(
      `${r.ok ? "PASS" : "FAIL"}  ${r.s.category.padEnd(12)} ${r.s.flow}${r.ok ? ` (${r.ms} ms)` : `: ${r.why}`}`,
    );
  const byCategory = new Map();
  for (const r of results) {
    const c = byCategory.get(r.s.category) ?? { pass: 0, total: 0 };
    c.total += 1;
    if (r.ok) c.pass += 1;
    byCategory.set(r.s.category, c);
  }
  console.log("\ncategory      passed");
  for (const [name, c] of byCategory) console.log(`${name.padEnd(13)} ${c.pass}/${c.total}`);
  const passed = results.filter((r) => r.ok).length;
  console.log(
    `\n${passed} passed, ${results.length - passed} failed (${((100 * passed) / Math.max(1, results.length)).toFixed(1)}%)`,
  );
  server.child.kill("SIGTERM");
  await new Promise((r) => server.child.once("exit", r));
  if (!keep) rmSync(home, { recursive: true, force: true });
  else console.log(`data kept in ${home}`);
  if (strict && passed < results.length) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
