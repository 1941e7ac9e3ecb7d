/**
 * Real processes of a cluster for the kill tests: each one the built CLI (`bin/saker.js`, on
 * the built packages) with `saker server <component>`, all on one fresh PostgreSQL database and one
 * S3 server, sharing a data folder (the encryption key). Results are read with SQL.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { startS3Server, type TestS3Server } from "@saker/engine/testing";
import { createTestDatabase, type TestDatabase } from "../../packages/engine/src/backend/postgres/testDatabase.ts";
import { BIN, ROOT } from "../integration/cli.ts";

type Component = "executor" | "worker" | "scheduler" | "webserver" | "standalone";

export interface ClusterProcess {
  component: Component;
  child: ChildProcess;
  /** The owner id it printed at start. */
  owner: string;
  /** The API's base (`http://…/api/v1`) of a webserver. */
  api?: string;
  output: () => string;
}

export interface Cluster {
  db: pg.Pool;
  /** The configuration file every process reads. */
  configFile: string;
  start(component: Component, args?: string[]): Promise<ClusterProcess>;
  kill(process: ClusterProcess): Promise<void>;
  close(): Promise<void>;
}

export async function startCluster(databaseUrl: string, settings: Record<string, unknown> = {}): Promise<Cluster> {
  const s3: TestS3Server = await startS3Server(["saker"]);
  const work = mkdtempSync(join(tmpdir(), "saker-cluster-"));
  const configFile = join(work, "saker.yml");
  writeFileSync(
    configFile,
    JSON.stringify({
      home: join(work, "home"),
      database: { type: "postgres", url: databaseUrl, poolSize: 4 },
      storage: {
        type: "s3",
        bucket: "saker",
        endpoint: s3.endpoint,
        region: s3.region,
        accessKey: s3.accessKeyId,
        secretKey: s3.secretAccessKey,
        forcePathStyle: true,
      },
      server: {
        port: 0,
        liveness: { interval: "PT0.5S", timeout: "PT8S", initialDelay: "PT0.5S", heartbeatInterval: "PT0.5S" },
        terminationGracePeriod: "PT1S",
        ...settings,
      },
    }),
  );
  const db = new pg.Pool({ connectionString: databaseUrl, max: 3 });
  // db.end() resolves before its clients' sockets have closed: the DROP DATABASE … WITH (FORCE)
  // that follows can terminate one still ending, whose error the pool re-emits (an uncaught
  // exception without this listener; seen once in a full run)
  db.on("error", () => undefined);
  const running = new Set<ClusterProcess>();

  async function start(component: Component, args: string[] = []): Promise<ClusterProcess> {
    const child = spawn(process.execPath, [BIN, "server", component, "-c", configFile, ...args], {
      cwd: ROOT,
      env: { ...process.env, SAKER_HOME: join(work, "home") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    const started = await new Promise<RegExpExecArray>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${component} did not start:\n${out}`)), 150_000);
      const look = () => {
        const match = /started in \d+ ms \(owner ([^)]+)\)/.exec(out);
        if (match && (!/webserver|standalone/.test(component) || /API on (\S+)\/api\/v1/.test(out))) {
          clearTimeout(timer);
          resolve(match);
        }
      };
      child.stdout!.on("data", look);
      child.stderr!.on("data", look);
      child.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`${component} exited with ${code}:\n${out}`));
      });
    });
    const api = /API on (\S+\/api\/v1)/.exec(out)?.[1];
    const member: ClusterProcess = {
      component,
      child,
      owner: started[1]!,
      ...(api ? { api } : {}),
      output: () => out,
    };
    running.add(member);
    child.on("exit", () => running.delete(member));
    return member;
  }

  async function kill(member: ClusterProcess): Promise<void> {
    if (member.child.exitCode !== null || member.child.signalCode !== null) return;
    const exited = new Promise((resolve) => member.child.once("exit", resolve));
    member.child.kill("SIGKILL");
    await exited;
  }

  return {
    db,
    configFile,
    start,
    kill,
    async close() {
      await Promise.all(
        [...running].map(async (member) => {
          const exited = new Promise((resolve) => member.child.once("exit", resolve));
          member.child.kill("SIGTERM");
          const timer = setTimeout(() => member.child.kill("SIGKILL"), 10_000);
          await exited;
          clearTimeout(timer);
        }),
      );
      await db.end();
      await s3.close();
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** Posts a flow's YAML to a webserver. */
/**
 * A cluster on a fresh database for the enclosing describe block: set up before its tests, closed
 * and its database dropped after them. Returns the getter of the cluster.
 */
export function useCluster(settings: Record<string, unknown>): () => Cluster {
  let database: TestDatabase | undefined;
  let cluster: Cluster | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    cluster = await startCluster(database.url, settings);
  }, 90_000);
  afterAll(async () => {
    await cluster?.close();
    await database?.drop();
  }, 60_000);
  return () => {
    if (!cluster) throw new Error("the cluster is not started (used outside its describe block's tests)");
    return cluster;
  };
}

export async function createFlow(api: string, yaml: string): Promise<void> {
  const response = await fetch(`${api}/flows`, {
    method: "POST",
    headers: { "content-type": "application/x-yaml" },
    body: yaml,
  });
  if (response.status !== 200) throw new Error(`POST /flows: ${response.status} ${await response.text()}`);
}

/** Starts an execution through a webserver; its id. */
export async function submit(api: string, namespace: string, flowId: string): Promise<string> {
  const response = await fetch(`${api}/executions/${namespace}/${flowId}`, { method: "POST" });
  if (response.status !== 200) throw new Error(`POST /executions: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

/** Waits until `probe` answers true (polling every 200 ms), or fails after `timeoutMs`. */
export async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
