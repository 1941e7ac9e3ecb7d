// Allocation and CPU per execution of a one-task burst (or a 40-task seq): node bench/.alloc-tmp.mjs [burst|seq] [top]
import { Session } from "node:inspector/promises";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
const { loadConfig } = await import("../packages/engine/dist/runtime/config.js");
const { Instance } = await import("../packages/engine/dist/runtime/instance.js");
const mode = process.argv[2] ?? "burst";
const top = Number(process.argv[3] ?? 25);
const ret = (id) => `  - id: ${id}\n    type: io.kestra.plugin.core.debug.Return\n    format: "{{ task.id }}"\n`;
const N = mode === "burst" ? 1 : 40;
const yaml = `id: f\nnamespace: bench\ntasks:\n${Array.from({ length: N }, (_, i) => ret(`t${i}`)).join("")}`;
const home = mkdtempSync(join(tmpdir(), "saker-alloc-"));
const instance = await Instance.open(loadConfig({ env: {}, overrides: { home }, cwd: home }));
await instance.deploy(yaml);
async function round() {
  if (mode === "burst") {
    const count = 2000;
    const pending = new Set();
    const done = new Promise((resolve) => {
      const onEnd = (x) => { if (pending.delete(x.id) && pending.size === 0) { instance.events.off("execution:end", onEnd); resolve(); } };
      instance.events.on("execution:end", onEnd);
    });
    const ids = await Promise.all(Array.from({ length: count }, () => instance.createExecution("bench", "f").then((x) => (pending.add(x.id), x.id))));
    await done;
    return count;
  }
  for (let i = 0; i < 25; i++) { const x = await instance.createExecution("bench", "f"); await instance.waitForEnd(x.id, 60000); }
  return 25 * 40;
}
for (let i = 0; i < 4; i++) await round();
const cpus = [];
for (let i = 0; i < 5; i++) { const c = process.cpuUsage(); const n = await round(); const u = process.cpuUsage(c); cpus.push((u.user + u.system) / n); }
cpus.sort((a, b) => a - b);
const session = new Session(); session.connect();
await session.post("HeapProfiler.startSampling", { samplingInterval: 256, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true });
let units = 0; for (let i = 0; i < 2; i++) units += await round();
const { profile } = await session.post("HeapProfiler.stopSampling");
let total = 0; const self = new Map();
const walk = (node) => { total += node.selfSize; const cf = node.callFrame; const k = `${cf.functionName || "(anon)"} ${cf.url.replace(/.*\/(packages|plugins|node_modules)\//, "")}:${cf.lineNumber + 1}`; self.set(k, (self.get(k) ?? 0) + node.selfSize); node.children.forEach(walk); };
walk(profile.head);
console.log(`${mode}: CPU median ${cpus[2].toFixed(0)} µs/${mode === "burst" ? "execution" : "task"} (min ${cpus[0].toFixed(0)}), allocated ${(total / units / 1024).toFixed(1)} KB/${mode === "burst" ? "execution" : "task"}`);
if (process.env.OUT) writeFileSync(process.env.OUT, JSON.stringify(profile));
[...self].sort((a, b) => b[1] - a[1]).slice(0, top).forEach(([k, b]) => console.log(`${(b / units / 1024).toFixed(2).padStart(7)} KB  ${k}`));
await instance.close(); rmSync(home, { recursive: true, force: true });
