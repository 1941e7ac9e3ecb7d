/**
 * A real `saker server local` child process on a free loopback port, for tests that need the
 * server's event loop apart from the test's: a concurrent `/health` then shows whether a request
 * blocks the server. Uses the built CLI (run `npx tsc -b` first).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { BIN, ROOT } from "../integration/cli.ts";

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
}

/** `port` 0 takes a free one; a test that must reach the server while it starts gives its own. */
export function startServerProcess(
  home: string,
  env: Record<string, string> = {},
  timeoutMs = 60_000,
  port = 0,
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [BIN, "server", "local", "--port", String(port)], {
    cwd: ROOT,
    env: { ...process.env, SAKER_HOME: home, ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
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
      });
    });
  });
}

export interface HealthProbe {
  /** Probes answered 200 so far. */
  answered: number;
  /** Set when a probe was not answered within the bound (or not with 200). */
  error?: Error;
  /** Stops probing; rejects with `error` when there is one. */
  stop(): Promise<void>;
}

/**
 * Asks `/health` again and again (one at a time) until stopped; each answer must come within
 * `boundMs`, a generous bound: a server whose event loop is blocked by another request answers
 * only once that request's synchronous work is over.
 */
export function probeHealth(url: string, boundMs: number): HealthProbe {
  let stopped = false;
  const probe: HealthProbe = { answered: 0, stop: async () => undefined };
  const loop = (async () => {
    while (!stopped) {
      const started = Date.now();
      try {
        const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(boundMs) });
        await response.text();
        if (response.status !== 200) throw new Error(`answered ${response.status}`);
      } catch (error) {
        probe.error = new Error(`/health was not answered within ${boundMs} ms: ${String(error)}`);
        return;
      }
      probe.answered++;
      await new Promise((r) => setTimeout(r, Math.max(0, 25 - (Date.now() - started))));
    }
  })();
  probe.stop = async () => {
    stopped = true;
    await loop;
    if (probe.error) throw probe.error;
  };
  return probe;
}

/** Runs `action` while probing `/health`; every probe must be answered within the bound. */
export async function whileProbing<T>(
  url: string,
  boundMs: number,
  action: () => Promise<T>,
): Promise<{ result: T; answered: number }> {
  const probe = probeHealth(url, boundMs);
  let result: T;
  try {
    result = await action();
    // One more answer after the action: a probe overlapped it and the server still answers.
    const after = probe.answered;
    while (probe.answered === after && !probe.error) await new Promise((r) => setTimeout(r, 10));
  } finally {
    await probe.stop();
  }
  return { result, answered: probe.answered };
}
