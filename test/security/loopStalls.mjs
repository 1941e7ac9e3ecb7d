/**
 * Preloaded (`node --import`) into a test's `saker server local` child: records each turn of the
 * event loop that held the main thread's CPU for STALL_CPU_MS or more, as a JSON line
 * `{ "at": <ms since the epoch, when the turn ended>, "cpuMs": <main-thread CPU of the turn> }`
 * appended to the file named by SAKER_TEST_LOOP_STALLS. Main-thread CPU time, not wall time: a
 * loaded machine makes every turn slower on the clock, but only work on the event loop (a parse,
 * a regex, a big JSON) makes one turn cost CPU. Worker threads (the off-thread YAML parser, jq)
 * are not counted. Linux: read from /proc/self/task/<main thread>/stat.
 */
import { appendFileSync, readFileSync } from "node:fs";

const report = process.env.SAKER_TEST_LOOP_STALLS;
/** Below this a turn is ordinary work (and /proc counts in 10 ms ticks). */
const STALL_CPU_MS = 50;
/** `utime` and `stime` are in clock ticks, 100 a second on Linux (sysconf(_SC_CLK_TCK)). */
const MS_PER_TICK = 10;
const STAT = `/proc/self/task/${process.pid}/stat`;

/** The main thread's user + system CPU time so far, in ms. */
function mainThreadCpuMs() {
  const stat = readFileSync(STAT, "utf8");
  // Fields after the command name (in parentheses, which may hold spaces): state is field 3,
  // utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK;
}

if (report) {
  let last = mainThreadCpuMs();
  setInterval(() => {
    const now = mainThreadCpuMs();
    if (now - last >= STALL_CPU_MS)
      appendFileSync(report, `${JSON.stringify({ at: Date.now(), cpuMs: now - last })}\n`);
    last = now;
  }, 10).unref();
}
