import { createServer, type IncomingMessage, type Server } from "node:http";
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import type { TestInstance, TestS3Server } from "@saker/engine/testing";
import { errorMessages, flow, s3Instance, startS3Server } from "../../test/support.ts";
import { assumeRoleCredentials } from "./assumeRole.ts";

const P = "io.kestra.plugin.aws.s3";
const CALLER_KEY = "CALLERKEY";
const CALLER_SECRET = "caller-secret-never-shown";
const ROLE = "arn:aws:iam::123456789012:role/reader";
const TOKEN = "session-token-from-sts";

/** A loopback STS answering AssumeRole in STS's XML; what it answers is set per test. */
interface StsRequest {
  authorization: string;
  params: URLSearchParams;
}
let sts: Server;
let stsUrl: string;
const stsRequests: StsRequest[] = [];
let answer: "grant" | "deny" = "grant";
let expiration = () => new Date(Date.now() + 3600_000);

let s3: TestS3Server;
let test: TestInstance;
let silent: TcpServer;
const sockets: Socket[] = [];

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

function grantXml(accessKeyId: string, secret: string): string {
  return `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/reader/s</Arn><AssumedRoleId>AROA1:s</AssumedRoleId></AssumedRoleUser>
<Credentials><AccessKeyId>${accessKeyId}</AccessKeyId><SecretAccessKey>${secret}</SecretAccessKey><SessionToken>${TOKEN}</SessionToken><Expiration>${expiration().toISOString()}</Expiration></Credentials>
</AssumeRoleResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></AssumeRoleResponse>`;
}

const DENY_XML = `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code>
<Message>User: arn:aws:iam::123456789012:user/caller is not authorized to perform: sts:AssumeRole on resource: ${ROLE}</Message></Error><RequestId>r2</RequestId></ErrorResponse>`;

beforeAll(async () => {
  s3 = await startS3Server(["data"]);
  test = await s3Instance();
  sts = createServer((request, response) => {
    void body(request).then((text) => {
      stsRequests.push({
        authorization: String(request.headers.authorization ?? ""),
        params: new URLSearchParams(text),
      });
      response.setHeader("content-type", "text/xml");
      if (answer === "deny") {
        response.statusCode = 403;
        response.end(DENY_XML);
      } else response.end(grantXml(s3.accessKeyId, s3.secretAccessKey));
    });
  });
  await new Promise<void>((r) => sts.listen(0, "127.0.0.1", r));
  stsUrl = `http://127.0.0.1:${(sts.address() as AddressInfo).port}`;
  silent = createTcpServer((socket) => void sockets.push(socket));
  await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((r) => silent?.close(r));
  await new Promise((r) => sts?.close(r));
  await test?.close();
  await s3?.close();
});
beforeEach(() => {
  stsRequests.length = 0;
  answer = "grant";
  expiration = () => new Date(Date.now() + 3600_000);
});

/** The caller's connection: its key is unknown to the S3 server, only the role's key is accepted. */
function connection(stsEndpoint = stsUrl, extra = ""): string {
  return `endpointOverride: ${s3.endpoint}\nforcePathStyle: true\nregion: ${s3.region}\naccessKeyId: ${CALLER_KEY}\nsecretKeyId: ${CALLER_SECRET}\nstsRoleArn: ${ROLE}\nstsEndpointOverride: ${stsEndpoint}${extra}`;
}

async function failure(props: string, extra = ""): Promise<string> {
  const execution = await test.run(
    flow(`sts-${Math.random().toString(36).slice(2, 8)}`, [["t", `${P}.List`, props]], extra),
  );
  expect(execution.state.current).toBe("FAILED");
  const logs = test.instance.logs.find({ executionId: execution.id }).map((l) => l.message);
  const errors = errorMessages(test, execution, "t").join("\n");
  expect(`${errors}\n${logs.join("\n")}`).not.toContain(CALLER_SECRET);
  return errors;
}

it("assumes the role with the caller's key and signs S3 requests with the role's temporary credentials", async () => {
  const before = s3.requests.length;
  const execution = await test.run(
    flow("sts-list", [
      [
        "t",
        `${P}.List`,
        `${connection(stsUrl, "\nstsRoleSessionName: nightly\nstsRoleExternalId: ext-42\nstsRoleSessionDuration: PT30M")}\nbucket: data`,
      ],
    ]),
  );
  expect(errorMessages(test, execution, "t")).toEqual([]);
  expect(execution.state.current).toBe("SUCCESS");
  expect(stsRequests).toHaveLength(1);
  const [call] = stsRequests;
  expect(call!.authorization).toMatch(
    new RegExp(`^AWS4-HMAC-SHA256 Credential=${CALLER_KEY}/\\d{8}/us-east-1/sts/aws4_request`),
  );
  expect(Object.fromEntries(call!.params)).toMatchObject({
    Action: "AssumeRole",
    RoleArn: ROLE,
    RoleSessionName: "nightly",
    ExternalId: "ext-42",
    DurationSeconds: "1800",
  });
  const signed = s3.requests.slice(before);
  expect(signed.length).toBeGreaterThan(0);
  for (const request of signed) {
    expect(String(request.headers.authorization)).toMatch(new RegExp(`Credential=${s3.accessKeyId}/`));
    expect(request.headers["x-amz-security-token"]).toBe(TOKEN);
  }
});

it("defaults the session name and duration", async () => {
  const execution = await test.run(flow("sts-defaults", [["t", `${P}.List`, `${connection()}\nbucket: data`]]));
  expect(execution.state.current).toBe("SUCCESS");
  expect(stsRequests[0]!.params.get("RoleSessionName")).toMatch(/^saker-[0-9a-f]{8}$/);
  expect(stsRequests[0]!.params.get("DurationSeconds")).toBe("900");
  expect(stsRequests[0]!.params.has("ExternalId")).toBe(false);
});

it("asks STS again shortly before the temporary credentials expire", async () => {
  let now = Date.parse("2026-01-01T00:00:00Z");
  expiration = () => new Date(now + 900_000);
  const provider = assumeRoleCredentials(
    { roleArn: ROLE, sessionName: "s", externalId: undefined, durationSeconds: 900, endpoint: stsUrl },
    { region: "us-east-1", credentials: { accessKeyId: CALLER_KEY, secretAccessKey: CALLER_SECRET } },
    { flow: { namespace: "n", id: "f" }, task: { id: "t", type: "x" } } as never,
    new AbortController().signal,
    () => now,
  );
  const [a, b] = await Promise.all([provider(), provider()]);
  expect(a).toBe(b);
  expect(a.sessionToken).toBe(TOKEN);
  expect(stsRequests).toHaveLength(1);
  now += 9 * 60_000; // 6 minutes left: still used
  await provider();
  expect(stsRequests).toHaveLength(1);
  now += 2 * 60_000; // 4 minutes left: renewed
  const renewed = await provider();
  expect(stsRequests).toHaveLength(2);
  expect(renewed.expiration.getTime()).toBe(now + 900_000);
});

it("names the role, not the secret, when STS refuses", async () => {
  answer = "deny";
  const errors = await failure(`${connection()}\nbucket: data`);
  expect(errors).toContain(`assuming role '${ROLE}' was refused (AccessDenied, HTTP 403`);
  expect(errors).toContain("is not authorized to perform: sts:AssumeRole");
});

it("fails when STS cannot be reached or never answers", async () => {
  const closed = createTcpServer();
  await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  expect(await failure(`${connection(`http://127.0.0.1:${port}`)}\nbucket: data`)).toContain(
    `assuming role '${ROLE}' failed: cannot reach http://127.0.0.1:${port} (ECONNREFUSED)`,
  );
  const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  expect(await failure(`${connection(silentUrl)}\nbucket: data\ntimeout: PT1S`)).toMatch(/timed? ?out|was stopped/i);
});

it("refuses a session duration outside STS's bounds or not a duration", async () => {
  for (const bad of ["PT5M", "PT13H", "fifteen minutes"])
    expect(await failure(`${connection(stsUrl, `\nstsRoleSessionDuration: ${bad}`)}\nbucket: data`)).toContain(
      `stsRoleSessionDuration '${bad}' must be a whole number of seconds from PT15M to PT12H`,
    );
  expect(await failure(`${connection("ftp://127.0.0.1:1")}\nbucket: data`)).toMatch(/must be http or https/);
  expect(stsRequests).toHaveLength(0);
});
