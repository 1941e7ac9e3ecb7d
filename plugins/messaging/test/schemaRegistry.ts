/**
 * A minimal Confluent Schema Registry for tests, on a free loopback port, speaking the REST API
 * the serializers use: register a schema under a subject (`POST /subjects/{s}/versions`, the same
 * schema gets the same id), look one up (`POST /subjects/{s}`), the latest version
 * (`GET /subjects/{s}/versions/latest`) and a schema by id (`GET /schemas/ids/{id}`), with the
 * registry's error codes (40401 subject not found, 40403 schema not found, 42201 invalid schema)
 * and optional basic authentication.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import avro from "avsc";
import { afterAll, beforeAll } from "vitest";

interface Version {
  id: number;
  version: number;
  schema: string;
  schemaType: string;
}

export interface TestRegistry {
  url: string;
  /** Subject → its versions, oldest first. */
  subjects: Map<string, Version[]>;
  /** Every request, as `METHOD path`. */
  requests: string[];
  close(): Promise<void>;
}

const JSON_TYPE = "application/vnd.schemaregistry.v1+json";

/**
 * A registry for the tests of the calling describe block (or file): started before them, closed
 * after; the object returned stands for it inside the tests.
 */
export function useSchemaRegistry(options: { user?: string; password?: string } = {}): TestRegistry {
  let started: TestRegistry | undefined;
  beforeAll(async () => {
    started = await startSchemaRegistry(options);
  });
  afterAll(async () => {
    await started?.close();
  });
  const current = (): TestRegistry => {
    if (!started) throw new Error("the schema registry is used outside the tests");
    return started;
  };
  return {
    get url() {
      return current().url;
    },
    get subjects() {
      return current().subjects;
    },
    get requests() {
      return current().requests;
    },
    close: () => current().close(),
  };
}

/** Registers a schema under a subject (as a producer's serializer would); returns its id. */
export async function registerSchema(
  registry: TestRegistry,
  subject: string,
  schema: string,
  schemaType: string,
): Promise<number> {
  const answer = await fetch(`${registry.url}/subjects/${subject}/versions`, {
    method: "POST",
    headers: { "content-type": JSON_TYPE },
    body: JSON.stringify({ schema, schemaType }),
  });
  return ((await answer.json()) as { id: number }).id;
}

export async function startSchemaRegistry(options: { user?: string; password?: string } = {}): Promise<TestRegistry> {
  const subjects = new Map<string, Version[]>();
  const byId = new Map<number, Version>();
  const requests: string[] = [];
  const expected =
    options.user !== undefined
      ? `Basic ${Buffer.from(`${options.user}:${options.password ?? ""}`).toString("base64")}`
      : undefined;

  const canonical = (text: string, type: string): string | undefined => {
    if (type !== "AVRO") return text;
    try {
      return JSON.stringify(avro.Type.forSchema(JSON.parse(text) as avro.Schema).schema());
    } catch {
      return undefined;
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": JSON_TYPE });
      res.end(JSON.stringify(body));
    };
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    requests.push(`${req.method} ${path}`);
    if (expected !== undefined && req.headers.authorization !== expected)
      return reply(401, { error_code: 401, message: "Unauthorized" });
    let body: { schema?: string; schemaType?: string } = {};
    if (req.method === "POST") {
      let text = "";
      for await (const chunk of req) text += String(chunk);
      body = JSON.parse(text) as typeof body;
    }
    const type = body.schemaType ?? "AVRO";
    let m: RegExpExecArray | null;
    if (req.method === "GET" && (m = /^\/schemas\/ids\/(\d+)$/.exec(path))) {
      const found = byId.get(Number(m[1]));
      if (!found) return reply(404, { error_code: 40403, message: "Schema not found" });
      return reply(200, {
        schema: found.schema,
        ...(found.schemaType !== "AVRO" ? { schemaType: found.schemaType } : {}),
      });
    }
    if (req.method === "GET" && (m = /^\/subjects\/(.+)\/versions\/latest$/.exec(path))) {
      const versions = subjects.get(m[1]!);
      if (!versions) return reply(404, { error_code: 40401, message: `Subject '${m[1]}' not found.` });
      const last = versions[versions.length - 1]!;
      return reply(200, { subject: m[1], ...last });
    }
    if (req.method === "POST" && (m = /^\/subjects\/(.+?)(\/versions)?$/.exec(path))) {
      const subject = m[1]!;
      const text = canonical(body.schema ?? "", type);
      if (text === undefined) return reply(422, { error_code: 42201, message: "Invalid schema" });
      const versions = subjects.get(subject) ?? [];
      const same = versions.find((v) => v.schema === text && v.schemaType === type);
      if (!m[2]) {
        if (versions.length === 0) return reply(404, { error_code: 40401, message: `Subject '${subject}' not found.` });
        if (!same) return reply(404, { error_code: 40403, message: "Schema not found" });
        return reply(200, { subject, ...same });
      }
      if (same) return reply(200, { id: same.id });
      const existing = [...byId.values()].find((v) => v.schema === text && v.schemaType === type);
      const version = {
        id: existing?.id ?? byId.size + 1,
        version: versions.length + 1,
        schema: text,
        schemaType: type,
      };
      byId.set(version.id, version);
      subjects.set(subject, [...versions, version]);
      return reply(200, { id: version.id });
    }
    return reply(404, { error_code: 404, message: "HTTP 404 Not Found" });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { "content-type": JSON_TYPE });
      res.end(JSON.stringify({ error_code: 50001, message: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    subjects,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
