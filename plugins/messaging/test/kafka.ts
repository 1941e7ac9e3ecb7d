/**
 * A Kafka cluster for the broker tests: the one `KAFKA_BOOTSTRAP_SERVERS` names, or else
 * librdkafka's mock cluster (a Kafka-protocol broker inside the `kcat` tool of Debian's `kcat`
 * package, listening on loopback), or none. The mock cluster answers produce, fetch, consumer
 * groups and offset commits, but not kafkajs' transactions (its coordinator lookup names a broker
 * that does not exist), so tests against it send with `transactional: false`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";

export const KCAT_BIN = "/usr/bin/kcat";

export interface TestKafka {
  bootstrap: string;
  /** Whether the cluster runs transactions (a real broker does; the mock cluster does not for kafkajs). */
  transactions: boolean;
  /** Why, when it is the mock: for the test names. */
  kind: string;
  stop(): Promise<void>;
}

/** Produce's `transactional` line for the cluster under test (the mock cluster has no transactions for kafkajs). */
export function transactionalLine(kafka: TestKafka | undefined): string {
  return kafka?.transactions === false ? "    transactional: false\n" : "";
}

/** A Kafka task's `properties` (task-level indentation) reading `bootstrap` from the earliest offset, with `more` entries. */
export function earliestProperties(bootstrap: string, more: Record<string, string | number> = {}): string {
  const entries = { "bootstrap.servers": bootstrap, "auto.offset.reset": "earliest", ...more };
  return `    properties:\n${Object.entries(entries)
    .map(([key, value]) => `      ${key}: ${value}\n`)
    .join("")}`;
}

/** The cluster to test against, or undefined (with the reason printed) when there is none. */
export async function testKafka(): Promise<TestKafka | undefined> {
  const configured = process.env.KAFKA_BOOTSTRAP_SERVERS;
  if (configured)
    return { bootstrap: configured, transactions: true, kind: "KAFKA_BOOTSTRAP_SERVERS", stop: async () => {} };
  if (!existsSync(KCAT_BIN)) {
    if (process.env.CI === "true")
      throw new Error(
        `CI=true: the Kafka broker tests need ${KCAT_BIN} (Debian package kcat; .ci/run installs it) or KAFKA_BOOTSTRAP_SERVERS`,
      );
    console.warn(
      `KAFKA_BOOTSTRAP_SERVERS is not set and ${KCAT_BIN} (Debian package kcat, whose librdkafka has a mock cluster) is missing: skipping the Kafka broker tests (they are not run, not passed)`,
    );
    return undefined;
  }
  return startMockCluster();
}

/** librdkafka's mock cluster, kept alive by a kcat producer whose input stays open. */
async function startMockCluster(): Promise<TestKafka> {
  // The mock replaces these bootstrap servers with its own; nothing connects to port 1.
  const child = spawn(
    KCAT_BIN,
    ["-P", "-b", "127.0.0.1:1", "-t", "saker-mock", "-X", "test.mock.num.brokers=1", "-d", "mock"],
    { stdio: ["pipe", "ignore", "pipe"] },
  );
  const bootstrap = await new Promise<string>((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(
      () => reject(new Error(`kcat printed no mock cluster address: ${seen.slice(0, 500)}`)),
      10_000,
    );
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`kcat exited (${code}) before its mock cluster started: ${seen}`)));
    child.stderr!.on("data", (chunk: Buffer) => {
      if (seen.length < 4096) seen += chunk.toString("utf8");
      const found = /Mock cluster \S+ bootstrap\.servers=(\S+)/.exec(seen);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]!);
      }
    });
  });
  return { bootstrap, transactions: false, kind: "librdkafka mock cluster (kcat)", stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.stdin?.end();
  const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(killer);
}
