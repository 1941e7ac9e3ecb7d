/**
 * Issue 17's end-to-end flow, on a real `saker server local` with only the bundled plugins: a NATS
 * message (JetStream, RealtimeTrigger) starts an execution that clones a git repository (served by
 * `git http-backend` on loopback), uploads a file of it to S3 (s3rver on loopback) and publishes to
 * RabbitMQ. The git token and the S3 secret come from `secret()` and appear in no log.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import amqp from "amqplib";
import { connect, type NatsConnection } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, serviceAvailable, startS3Server, type TestS3Server } from "@saker/engine/testing";
import { startGitServer, TOKEN, USER, type TestGitServer } from "../../plugins/git/test/support.ts";
import { startServerProcess, type ServerProcess } from "../security/serverProcess.ts";

// The SDK's notice about Node 20 on this test's own client (the server silences it itself).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const AMQP_URL = "amqp://guest:guest@127.0.0.1:5672";
const up =
  (await serviceAvailable("NATS", "127.0.0.1", 4222)) && (await serviceAvailable("RabbitMQ", "127.0.0.1", 5672));

describe.runIf(up)("a NATS message clones a git repository, uploads to S3 and publishes to RabbitMQ", () => {
  const id = randomUUID().replace(/-/g, "").slice(0, 10);
  const subject = `e2e${id}.orders`;
  const queue = `saker-e2e-${id}`;
  const work = mkdtempSync(join(tmpdir(), "saker-connectors-"));
  let git: TestGitServer;
  let s3: TestS3Server;
  let nats: NatsConnection;
  let server: ServerProcess;
  let rabbit: amqp.ChannelModel;

  beforeAll(async () => {
    git = await startGitServer();
    git.createRepo("docs", { "README.md": "# Docs from git\n" });
    s3 = await startS3Server(["e2e-bucket"]);
    nats = await connect({ servers: "nats://127.0.0.1:4222" });
    await (await nats.jetstreamManager()).streams.add({ name: `E2E${id}`, subjects: [`e2e${id}.>`] });
    rabbit = await amqp.connect(AMQP_URL);
    const channel = await rabbit.createChannel();
    await channel.assertQueue(queue, { durable: false, autoDelete: false });
    await channel.close();
    const base64 = (text: string) => Buffer.from(text).toString("base64");
    server = await startServerProcess(join(work, "home"), {
      SECRET_GIT_TOKEN: base64(TOKEN),
      SECRET_S3_SECRET: base64(s3.secretAccessKey),
    });
  }, 90_000);

  afterAll(async () => {
    await server?.stop();
    if (nats) {
      await (await nats.jetstreamManager()).streams.delete(`E2E${id}`).catch(() => undefined);
      await nats.close();
    }
    if (rabbit) {
      const channel = await rabbit.createChannel();
      await channel.deleteQueue(queue);
      await rabbit.close();
    }
    await s3?.close();
    await git?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("runs the whole flow once per message", async () => {
    const flow = `id: connectors
namespace: e2e.connectors
tasks:
  - id: checkout
    type: io.kestra.plugin.core.flow.WorkingDirectory
    outputFiles:
      - repo/README.md
    tasks:
      - id: clone
        type: io.kestra.plugin.git.Clone
        url: ${git.url("docs")}
        username: ${USER}
        password: "{{ secret('GIT_TOKEN') }}"
        directory: repo
  - id: upload
    type: io.kestra.plugin.aws.s3.Upload
    endpointOverride: ${s3.endpoint}
    forcePathStyle: true
    region: ${s3.region}
    accessKeyId: ${s3.accessKeyId}
    secretKeyId: "{{ secret('S3_SECRET') }}"
    bucket: e2e-bucket
    key: "orders/{{ trigger.data }}.md"
    from: "{{ outputs.checkout.outputFiles['repo/README.md'] }}"
  - id: publish
    type: io.kestra.plugin.amqp.Publish
    url: ${AMQP_URL}
    exchange: ""
    routingKey: ${queue}
    from:
      data: "{{ trigger.data }} stored as {{ outputs.upload.key }}"
triggers:
  - id: orders
    type: io.kestra.plugin.nats.core.RealtimeTrigger
    url: nats://127.0.0.1:4222
    subject: ${subject}
    durableId: e2e-${id}
`;
    const created = await fetch(`${server.api}/flows`, {
      method: "POST",
      headers: { "Content-Type": "application/x-yaml" },
      body: flow,
    });
    expect(created.status, await created.clone().text()).toBe(200);

    // The listener starts at the scheduler's next tick; a message published before it exists
    // stays in the stream and is delivered once it does (deliverPolicy All).
    await nats.jetstream().publish(subject, "order-42");

    const search = async () =>
      (await (await fetch(`${server.api}/executions/search?namespace=e2e.connectors&flowId=connectors`)).json()) as {
        total: number;
        results: Array<{ id: string; state: { current: string } }>;
      };
    const done = await eventually(
      async () => {
        const found = await search();
        const ended = found.results.find((e) => ["SUCCESS", "FAILED", "WARNING", "KILLED"].includes(e.state.current));
        return ended;
      },
      60_000,
      "the triggered execution to end",
    );
    const logs = await (await fetch(`${server.api}/logs/${done.id}`)).text();
    expect(done.state.current, logs).toBe("SUCCESS");

    const client = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    const object = await client.send(new GetObjectCommand({ Bucket: "e2e-bucket", Key: "orders/order-42.md" }));
    expect(await object.Body!.transformToString()).toBe("# Docs from git\n");
    client.destroy();

    const channel = await rabbit.createChannel();
    const message = await eventually(async () => (await channel.get(queue, { noAck: true })) || undefined, 10_000);
    expect(message.content.toString()).toBe("order-42 stored as orders/order-42.md");
    await channel.close();

    // One message, one execution; the secrets are in no log line.
    expect((await search()).total).toBe(1);
    expect(logs).not.toContain(TOKEN);
  }, 120_000);
});
