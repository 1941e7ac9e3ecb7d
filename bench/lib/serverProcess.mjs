// A real `saker server local` child process for the benchmarks that go through the API or the UI,
// and the large execution the log and UI benchmarks read.
import { spawn } from "node:child_process";
import { join } from "node:path";

/**
 * `node <root>/bin/saker.js server local` on a free port with its own home; resolves once /health
 * answers 200 with `{child, url, api, stop()}`. `nodeArgs`: node options for the server (a profile).
 */
export async function startServerProcess(root, home, { nodeArgs = [] } = {}) {
  const child = spawn(process.execPath, [...nodeArgs, join(root, "bin/saker.js"), "server", "local", "--port", "0"], {
    cwd: root,
    env: { ...process.env, SAKER_HOME: home },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start\n${err}`)), 60_000);
    child.once("close", (code) => reject(new Error(`the server exited (${code})\n${err}`)));
    child.stdout.on("data", (d) => {
      out += d;
      const m = /Saker API on (http:\/\/127\.0\.0\.1:\d+)\/api\/v1/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  for (let i = 0; ; i++) {
    const status = await fetch(`${url}/health`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) break;
    if (i > 600) throw new Error(`/health did not answer 200\n${err}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    url,
    api: `${url}/api/v1`,
    stop: () =>
      child.exitCode !== null || child.signalCode !== null
        ? Promise.resolve()
        : new Promise((r) => (child.once("close", r), child.kill("SIGTERM"))),
  };
}

/**
 * A flow `big` in `namespace`: a ForEach over `values` numbers (no concurrency limit) whose Log
 * task logs `linesPerValue` messages per value: values + 1 task runs, values × linesPerValue INFO lines.
 */
export function bigLogsFlowYaml(namespace, values, linesPerValue) {
  const list = JSON.stringify(Array.from({ length: values }, (_, i) => i + 1));
  const messages = Array.from(
    { length: linesPerValue },
    (_, i) =>
      `          - "value {{ taskrun.value }}: line ${i + 1} of ${linesPerValue}, some text to make it a realistic log line"`,
  ).join("\n");
  return `id: big
namespace: ${namespace}
tasks:
  - id: each
    type: io.kestra.plugin.core.flow.ForEach
    concurrencyLimit: 0
    values: "${list}"
    tasks:
      - id: log
        type: io.kestra.plugin.core.log.Log
        message:
${messages}
`;
}
