// HEAP sampling including collected objects, around the hotpath-profile driver's last size
import { Session } from "node:inspector/promises";
import { writeFileSync } from "node:fs";
const session = new Session();
session.connect();
globalThis.__startHeap = async () => {
  await session.post("HeapProfiler.startSampling", { samplingInterval: 512, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true });
};
const start = Date.now();
setTimeout(() => void globalThis.__startHeap(), Number(process.env.HEAP_AFTER ?? 3000));
process.on("beforeExit", async () => {
  if (globalThis.__done) return; globalThis.__done = true;
  const { profile } = await session.post("HeapProfiler.stopSampling");
  writeFileSync(process.env.HEAP_OUT ?? "/tmp/heap/alloc.heapprofile", JSON.stringify(profile));
  console.log("heap written", Date.now() - start);
});
await import("./hotpath-profile.mjs");
