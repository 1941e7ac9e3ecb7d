/**
 * The bundled plugins' client libraries (Kafka, NATS, MQTT, Redis, RabbitMQ, PostgreSQL, SFTP,
 * FTP, git, SMTP, S3) and the engine's own (undici for HTTP, pg for a PostgreSQL database, the AWS
 * SDK for S3 storage, piscina for isolated tasks) load when a task needs them, not when a process
 * opens the engine: a flow that uses none of them runs without them. Checked on the real CLI
 * (built packages) through preloaded scripts that record which packages the process loaded: the
 * CommonJS modules at exit, and every ES module as it is resolved (many of these libraries are ES
 * modules, which the CommonJS module cache never sees).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./cli.ts";

/** Loaded on demand only; each is a package name as it appears under node_modules. */
const ON_DEMAND = [
  "kafkajs",
  "nats",
  "mqtt",
  "ioredis",
  "amqplib",
  "protobufjs",
  "commonmark",
  "turndown",
  "openpgp",
  "jsonata",
  "pg",
  "mysql2",
  "ssh2",
  "basic-ftp",
  "isomorphic-git",
  "nodemailer",
  "imapflow",
  "mailparser",
  "undici",
  "piscina",
  "@aws-sdk/client-s3",
  "@aws-sdk/client-sts",
  "@aws-sdk/lib-storage",
];

let work: string;
let server: Server;
let url: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "saker-lazy-libs-"));
  // At exit, the packages of every CommonJS module loaded (what import() of a CommonJS package loads too).
  writeFileSync(
    join(work, "record.cjs"),
    `process.on("exit", () => {
  const packages = new Set();
  for (const file of Object.keys(require.cache)) {
    const match = /node_modules[\\\\/]((@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(file.slice(file.lastIndexOf("node_modules")));
    if (match) packages.add(match[1].replace(/\\\\/g, "/"));
  }
  require("node:fs").writeFileSync(process.env.RECORD_TO, JSON.stringify([...packages]));
});\n`,
  );
  // Every ES module resolved, by a resolve hook (it runs on the loader's own thread: it appends a line each).
  writeFileSync(
    join(work, "hooks.mjs"),
    `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  const match = /node_modules\\/((@[^/]+\\/)?[^/]+)/.exec(resolved.url.slice(resolved.url.lastIndexOf("node_modules")));
  if (match) appendFileSync(process.env.RECORD_ESM_TO, match[1] + "\\n");
  return resolved;
}\n`,
  );
  writeFileSync(
    join(work, "record.mjs"),
    `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(join(work, "hooks.mjs")).href)});\n`,
  );
  server = createServer((_req, res) => res.end("pong"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ping`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

/** Runs `flow run` on a flow `name` of these `tasks` (YAML lines); the packages the process loaded. */
async function packagesLoadedBy(name: string, tasks: string): Promise<string[]> {
  const file = join(work, `${name}.yaml`);
  writeFileSync(file, `id: ${name}\nnamespace: company.team\ntasks:\n${tasks}`);
  const recordTo = join(work, `${name}.json`);
  const recordEsmTo = join(work, `${name}.esm.txt`);
  const result = await runCli(["flow", "run", file, "--json", "--quiet"], {
    home: join(work, name),
    env: {
      NODE_OPTIONS: `--require ${join(work, "record.cjs")} --import ${pathToFileURL(join(work, "record.mjs")).href}`,
      RECORD_TO: recordTo,
      RECORD_ESM_TO: recordEsmTo,
    },
  });
  expect(result.code, result.stderr).toBe(0);
  expect(JSON.parse(result.stdout).state.current).toBe("SUCCESS");
  const esm = existsSync(recordEsmTo) ? readFileSync(recordEsmTo, "utf8").split("\n").filter(Boolean) : [];
  return [...new Set([...(JSON.parse(readFileSync(recordTo, "utf8")) as string[]), ...esm])];
}

describe("client libraries load on first use", () => {
  it("a flow that runs none of them loads none, though it names their tasks", async () => {
    // the Kafka and S3 tasks are validated (their plugins are registered) but never run
    const loaded = await packagesLoadedBy(
      "plain",
      `  - id: hello
    type: io.kestra.plugin.core.debug.Return
    format: "{{ 6 * 7 }}"
  - id: never
    type: io.kestra.plugin.core.flow.If
    condition: "{{ false }}"
    then:
      - id: produce
        type: io.kestra.plugin.kafka.Produce
        properties:
          bootstrap.servers: 127.0.0.1:9
        topic: orders
        from:
          key: k
          value: v
      - id: upload
        type: io.kestra.plugin.aws.s3.Upload
        region: eu-west-1
        bucket: reports
        key: report.csv
        from: kestra://nowhere.csv
`,
    );
    // the process did load what every run needs (the check sees CommonJS packages at all)
    expect(loaded).toContain("better-sqlite3");
    expect(loaded).toContain("yaml");
    expect(loaded.filter((name) => ON_DEMAND.includes(name))).toEqual([]);
  });

  it("an HTTP request loads undici, and only what it needs", async () => {
    const loaded = await packagesLoadedBy(
      "http",
      `  - id: ping
    type: io.kestra.plugin.core.http.Request
    uri: ${url}
`,
    );
    expect(loaded.filter((name) => ON_DEMAND.includes(name))).toEqual(["undici"]);
  });
});
