// CPU time of a workload across every process it runs in: this process (all its threads) and,
// for a peer, the server it talks to (redis-server, the postgres processes), read from
// /proc/<pid>/stat. Linux only; elsewhere the servers' share reads as unknown (NaN).
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";

/** Clock ticks per second of /proc's utime and stime (usually 100). */
const TICKS_PER_SECOND = (() => {
  const out = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout;
  const n = Number(out?.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

/** CPU ms used so far by every process named `comm`, or NaN where /proc cannot be read. */
export function processesCpuMs(comm) {
  let ticks = 0;
  let entries;
  try {
    entries = readdirSync("/proc");
  } catch {
    return NaN;
  }
  for (const pid of entries) {
    if (!/^\d+$/.test(pid)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // ended meanwhile
    }
    // "pid (comm) state ppid …": comm may hold spaces, so fields are counted after its ')'
    const close = stat.lastIndexOf(")");
    if (stat.slice(stat.indexOf("(") + 1, close) !== comm) continue;
    const fields = stat.slice(close + 2).split(" ");
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** This process's CPU ms so far, every thread included. */
export function ownCpuMs() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Starts measuring; the returned function gives the CPU ms used since, by this process (`own`)
 * and by the processes named `server` (`server`: 0 without one).
 */
export function cpuMeter(server) {
  const own0 = ownCpuMs();
  const server0 = server ? processesCpuMs(server) : 0;
  return () => ({ own: ownCpuMs() - own0, server: server ? processesCpuMs(server) - server0 : 0 });
}
