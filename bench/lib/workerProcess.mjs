#!/usr/bin/env node
// A worker-only Saker process on a PostgreSQL database, for the benchmarks that measure several
// worker processes (bench/postgres.bench.mjs): `node workerProcess.mjs <postgres url> <home>`;
// with a third argument `executor`, it runs an executor too. Prints `ready` once its roles run;
// closes on SIGTERM (or when its parent's stdin closes), printing `status <json>` (its roles'
// status, instance.status()) first.
import { openSaker } from "./saker.mjs";

const [url, home, withExecutor] = process.argv.slice(2);
if (!url || !home) throw new Error("usage: workerProcess.mjs <postgres url> <home>");
const saker = await openSaker(home, {
  database: { type: "postgres", url },
  roles: { executor: withExecutor === "executor", worker: true, scheduler: false },
});
let closing = false;
const close = async () => {
  if (closing) return;
  closing = true;
  process.stdout.write(`status ${JSON.stringify(saker.status())}\n`);
  await saker.close();
  process.exit(0);
};
process.on("SIGTERM", close);
process.stdin.on("close", close);
process.stdin.resume();
process.stdout.write("ready\n");
