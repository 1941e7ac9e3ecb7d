/**
 * A real `saker server local` child process on a free loopback port, for tests that need the
 * server's event loop apart from the test's: a concurrent `/health`, and the loop's stalls the
 * child records (loopStalls.mjs), then show whether a request blocks the server. Uses the built
 * CLI (run `npx tsc -b` first).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { BIN, ROOT } from "../integration/cli.ts";

/** A turn of the server's event loop that held its main thread (see loopStalls.mjs). */
export interface LoopStall {
  /** When the turn ended (ms since the epoch). */
  at: number;
  /** The main thread's CPU time in that turn. */
  cpuMs: number;
}

export interface ServerProcess {
  child: ChildProcess;
  /** `http://127.0.0.1:port` */
  url: string;
  /** `http://127.0.0.1:port/api/v1` */
  api: string;
  stderr(): string;
  /** False once the process has exited. */
  running(): boolean;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
  /** SIGKILL, then waits for the exit. */
  kill(): Promise<void>;
  /** The event-loop turns that held the main thread for 50 ms of CPU or more, ended after `since`. */
  stalls(since: number): LoopStall[];
}

/** `port` 0 takes a free one; a test that must reach the server while it starts gives its own. */
export function startServerProcess(
  home: string,
  env: Record<string, string> = {},
  timeoutMs = 60_000,
  port = 0,
): Promise<ServerProcess> {
  const stallDir = mkdtempSync(join(tmpdir(), "saker-loop-stalls-"));
  const stallFile = join(stallDir, "stalls.jsonl");
  const loopStalls = new URL("./loopStalls.mjs", import.meta.url).href;
  const child = spawn(process.execPath, ["--import", loopStalls, BIN, "server", "local", "--port", String(port)], {
    cwd: ROOT,
    env: { ...process.env, SAKER_HOME: home, SAKER_TEST_LOOP_STALLS: stallFile, ...env },
  });
  const stalls = (since: number): LoopStall[] =>
    existsSync(stallFile)
      ? readFileSync(stallFile, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((line) => JSON.parse(line) as LoopStall)
          .filter((stall) => stall.at >= since)
      : [];
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) =>
    child.once("close", () => {
      rmSync(stallDir, { recursive: true, force: true });
      resolve();
    }),
  );
  const running = () => child.exitCode === null && child.signalCode === null;
  const end = async (signal: NodeJS.Signals) => {
    if (running()) child.kill(signal);
    await exited;
  };
  return new Promise((resolve, reject) => {
    let started = false;
    let listening = false;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the server did not start within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.once("close", (code) => {
      clearTimeout(timer);
      if (!started) reject(new Error(`the server exited (${code})\n${stderr}`));
    });
    child.stdout.on("data", async (d: Buffer) => {
      stdout += d.toString();
      const match = /Saker API on (http:\/\/127\.0\.0\.1:\d+)\/api\/v1/.exec(stdout);
      if (!match || listening) return;
      listening = true;
      const url = match[1]!;
      // Listening comes first; ready once /health says UP.
      while (
        (await fetch(`${url}/health`).then(
          (r) => r.status,
          () => 0,
        )) !== 200
      )
        await new Promise((r) => setTimeout(r, 100));
      clearTimeout(timer);
      started = true;
      resolve({
        child,
        url,
        api: `${url}/api/v1`,
        stderr: () => stderr,
        running,
        stop: () => end("SIGTERM"),
        kill: () => end("SIGKILL"),
        stalls,
      });
    });
  });
}

/**
 * The most main-thread CPU one turn of the server's event loop may take while a big request is
 * served: well above what the server needs between two turns (up to about 250 ms, seen with the
 * 30,000-task flows of bigFlow.test.ts), well below the seconds a parse or a regex on the event
 * loop held it. CPU time, so that a loaded machine does not make it fail.
 */
export const LOOP_STALL_BOUND_CPU_MS = 1000;

/**
 * How long one `/health` request may go unanswered before the probe calls the server hung: not a
 * speed bound (the loop's stalls are), only so that a hung server fails the test rather than time it out.
 */
const HUNG_MS = 60_000;

export interface HealthProbe {
  /** Probes answered 200 so far. */
  answered: number;
  /** Set when a probe failed, was not answered with 200 or hung. */
  error?: Error;
  /** Stops probing; rejects with `error` when there is one. */
  stop(): Promise<void>;
}

/** Asks `/health` again and again (one at a time) until stopped; each must be answered with 200. */
export function probeHealth(url: string): HealthProbe {
  let stopped = false;
  const probe: HealthProbe = { answered: 0, stop: async () => undefined };
  const loop = (async () => {
    while (!stopped) {
      try {
        const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(HUNG_MS) });
        await response.text();
        if (response.status !== 200) throw new Error(`answered ${response.status}`);
      } catch (error) {
        probe.error = new Error(`/health failed: ${String(error)}`);
        return;
      }
      probe.answered++;
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  probe.stop = async () => {
    stopped = true;
    await loop;
    if (probe.error) throw probe.error;
  };
  return probe;
}

/**
 * Runs `action` while probing `/health`: every probe is answered, one of them after the action
 * ended (a probe overlapped it), and no turn of the server's event loop took more than
 * LOOP_STALL_BOUND_CPU_MS of CPU meanwhile.
 */
export async function whileProbing<T>(
  server: ServerProcess,
  action: () => Promise<T>,
): Promise<{ result: T; answered: number; stalls: LoopStall[] }> {
  const since = Date.now();
  const probe = probeHealth(server.url);
  let result: T;
  try {
    result = await action();
    const after = probe.answered;
    while (probe.answered === after && !probe.error) await new Promise((r) => setTimeout(r, 10));
  } finally {
    await probe.stop();
  }
  const stalls = server.stalls(since);
  expectNoLongStall(stalls);
  return { result, answered: probe.answered, stalls };
}

/** No stall over LOOP_STALL_BOUND_CPU_MS (the list in the message when there is one). */
export function expectNoLongStall(stalls: LoopStall[]): void {
  const longest = Math.max(0, ...stalls.map((stall) => stall.cpuMs));
  expect(longest, `event-loop turns of the server: ${JSON.stringify(stalls)}`).toBeLessThan(LOOP_STALL_BOUND_CPU_MS);
}
