/**
 * SendGrid on a real engine, sending to a real HTTP server on loopback in place of
 * api.sendgrid.com: the exact Mail Send requests (bodies, files from internal storage, the
 * execution summary), SendGrid's answer as outputs, refusals, bad inputs, and the API key kept
 * out of logs, errors and outputs.
 */
import { describe, expect, it } from "vitest";
import { errorMessages, logMessages, outputsOf, taskRun, taskYaml, type Execution } from "@saker/engine/testing";
import { summaryHtml, type NotificationSummary } from "@saker/sdk";
import { SendGridMailSend } from "./sendGrid.ts";
import { humanDuration } from "./summary.ts";
import { oneTaskFlow, useNotificationFixture } from "../test/support.ts";

const SECRET_KEY = "SG.secret-api-key-value";
const fx = useNotificationFixture({ SECRET_SENDGRID_API_KEY: Buffer.from(SECRET_KEY).toString("base64") });
const { test, hook } = fx;

const SEND = "io.kestra.plugin.twilio.sendgrid.SendGridMailSend";
const EXECUTION = "io.kestra.plugin.twilio.sendgrid.SendGridMailExecution";
const mail = (path = "/v3/mail/send") =>
  `url: "${hook.url}${path}"\nsendgridApiKey: SG.test-key\nfrom: alerts@example.com\nto: [ops@example.com]`;

let flows = 0;
async function run(type: string, props: string): Promise<Execution> {
  return test.run(oneTaskFlow(`sendgrid_${++flows}`, type, props));
}

/** A flow storing a CSV (`report`) and an image (`logo`) before its task `notify`. */
async function runWithFiles(type: string, props: string): Promise<Execution> {
  const write = "io.kestra.plugin.core.storage.Write";
  return test.run(
    `id: sendgrid_files_${++flows}\nnamespace: company.team\ntasks:\n` +
      taskYaml("report", write, 'content: "id,name\\n1,Ada\\n"\nextension: .csv') +
      taskYaml("logo", write, 'content: "not really a png"\nextension: .png') +
      taskYaml("notify", type, props),
  );
}

async function ok(x: Promise<Execution>): Promise<{ x: Execution; body: unknown }> {
  const done = await x;
  expect(done.state.current, errorMessages(test, done, "notify").join("\n")).toBe("SUCCESS");
  const got = hook.received.at(-1)!;
  expect(got.method).toBe("POST");
  expect(got.contentType).toBe("application/json");
  return { x: done, body: JSON.parse(got.body) };
}

/** Every log line of the task, whatever its level. */
const allLogs = (x: Execution) => logMessages(test, x, "notify", "TRACE").join("\n");

describe("SendGridMailSend", () => {
  it("POSTs a text mail with the API key as bearer, and outputs SendGrid's answer", async () => {
    const { x, body } = await ok(run(SEND, `${mail()}\ntextContent: "Done in {{ flow.namespace }}"`));
    const got = hook.received.at(-1)!;
    expect(got.path).toBe("/v3/mail/send");
    expect(got.authorization).toBe("Bearer SG.test-key");
    expect(body).toEqual({
      from: { email: "alerts@example.com" },
      personalizations: [{ to: [{ email: "ops@example.com" }] }],
      content: [{ type: "text/plain", value: "Done in company.team" }],
    });
    expect(outputsOf(x, "notify")).toEqual({
      body: "ok",
      headers: expect.objectContaining({ "content-type": "text/plain" }) as unknown,
      statusCode: 200,
    });
  });

  it("sends an HTML mail", async () => {
    const { body } = await ok(run(SEND, `${mail()}\nhtmlContent: "<p>{{ flow.namespace }}</p>"`));
    expect(body).toEqual({
      from: { email: "alerts@example.com" },
      personalizations: [{ to: [{ email: "ops@example.com" }] }],
      content: [{ type: "text/html", value: "<p>company.team</p>" }],
    });
  });

  it("sends both bodies, text first, with several recipients, cc and the subject", async () => {
    const { body } = await ok(
      run(
        SEND,
        `url: "${hook.url}/v3/mail/send"\nsendgridApiKey: k\nfrom: alerts@example.com\nto: [ops@example.com, data@example.com]
cc: [lead@example.com, "{{ 'cto' }}@example.com"]\nsubject: "Flow {{ flow.namespace }} failed"\nhtmlContent: "<b>x</b>"\ntextContent: x`,
      ),
    );
    expect(body).toEqual({
      from: { email: "alerts@example.com" },
      personalizations: [
        {
          to: [{ email: "ops@example.com" }, { email: "data@example.com" }],
          cc: [{ email: "lead@example.com" }, { email: "cto@example.com" }],
          subject: "Flow company.team failed",
        },
      ],
      content: [
        { type: "text/plain", value: "x" },
        { type: "text/html", value: "<b>x</b>" },
      ],
    });
  });

  it("sends Kestra's sentence for a text that renders empty, and no content when there is no body", async () => {
    const { body } = await ok(run(SEND, `${mail()}\ntextContent: "{{ '' }}"\ncc: []`));
    expect(body).toEqual({
      from: { email: "alerts@example.com" },
      personalizations: [{ to: [{ email: "ops@example.com" }] }],
      content: [{ type: "text/plain", value: "Please view this email in a modern email client" }],
    });
    expect((await ok(run(SEND, mail()))).body).toEqual({
      from: { email: "alerts@example.com" },
      personalizations: [{ to: [{ email: "ops@example.com" }] }],
    });
  });

  it("attaches files and inline images read from internal storage, base64", async () => {
    const { x, body } = await ok(
      runWithFiles(
        SEND,
        `${mail()}\nhtmlContent: '<img src="cid:logo.png">'
attachments:
  - name: report.csv
    uri: "{{ outputs.report.uri }}"
    contentType: text/csv
  - name: raw.bin
    uri: "{{ outputs.report.uri }}"
embeddedImages:
  - name: logo.png
    uri: "{{ outputs.logo.uri }}"
    contentType: image/png`,
      ),
    );
    const csv = Buffer.from("id,name\n1,Ada\n").toString("base64");
    expect((body as { attachments: unknown }).attachments).toEqual([
      { content: csv, type: "text/csv", filename: "report.csv", disposition: "attachment" },
      { content: csv, type: "application/octet-stream", filename: "raw.bin", disposition: "attachment" },
      {
        content: Buffer.from("not really a png").toString("base64"),
        type: "image/png",
        filename: "logo.png",
        disposition: "inline",
        content_id: "logo.png",
      },
    ]);
    expect(taskRun(x, "notify").outputs).toMatchObject({ statusCode: 200 });
  });

  it.each([SEND, "io.kestra.plugin.notifications.sendgrid.SendGridMailSend"])("%s is a type", async (type) => {
    const { body } = await ok(run(type, `${mail("/alias")}\ntextContent: hi`));
    expect(hook.received.at(-1)!.path).toBe("/alias");
    expect(body).toMatchObject({ content: [{ type: "text/plain", value: "hi" }] });
  });

  it("outputs a 202 without body, with SendGrid's headers", async () => {
    const { x } = await ok(run(SEND, `${mail("/empty/202")}\ntextContent: hi`));
    expect(outputsOf(x, "notify")).toEqual({
      body: "",
      headers: expect.objectContaining({ "X-Message-Id": "saker-test-1" }) as unknown,
      statusCode: 202,
    });
  });

  it("fails with SendGrid's status and body on a 400", async () => {
    const x = await run(SEND, `${mail("/status/400")}\ntextContent: hi`);
    expect(x.state.current).toBe("FAILED");
    expect(errorMessages(test, x, "notify").join("\n")).toContain(
      "SendGrid API failed with status code: 400 and body: refused with 400: invalid_payload",
    );
  });

  it("posts to api.sendgrid.com by default", () => {
    const props = SendGridMailSend.properties.parse({ sendgridApiKey: "k", from: "a@x", to: ["b@y"] });
    expect(props.url).toBe("https://api.sendgrid.com/v3/mail/send");
  });
});

describe("SendGridMailExecution", () => {
  const common = () => `executionId: "${fx.failed.id}"\ncustomMessage: Look\ncustomFields:\n  Team: data`;

  it.each([EXECUTION, "io.kestra.plugin.notifications.sendgrid.SendGridMailExecution"])(
    "%s mails the summary as text and HTML",
    async (type) => {
      const { x, body } = await ok(run(type, `${mail()}\nsubject: Alert\n${common()}`));
      expect(hook.received.at(-1)!.authorization).toBe("Bearer SG.test-key");
      const { content, ...rest } = body as { content: { type: string; value: string }[] };
      expect(rest).toEqual({
        from: { email: "alerts@example.com" },
        personalizations: [{ to: [{ email: "ops@example.com" }], subject: "Alert" }],
      });
      expect(content.map((c) => c.type)).toEqual(["text/plain", "text/html"]);
      expect(content[0]!.value).toBe(
        [
          "[company.prod] nightly ➛ FAILED",
          "Look",
          "",
          `Execution ID: ${fx.failed.id}`,
          "Namespace: company.prod",
          "Flow: nightly",
          "State: FAILED",
          `Start date: ${fx.failed.state.startDate}`,
          `Duration: ${humanDuration(fx.failed.state.duration)}`,
          "Failed task: boom",
          "Team: data",
          "",
          `Details: ${fx.link}`,
          "",
        ].join("\n"),
      );
      const html = content[1]!.value;
      expect(html).toContain("Failed on task <code>boom</code>");
      expect(html).toContain(`<a href="${fx.link}"`);
      expect(html).toContain("<strong>Team:</strong> data");
      const summary: NotificationSummary = {
        execution: {
          id: fx.failed.id,
          namespace: "company.prod",
          flowId: "nightly",
          state: "FAILED",
          startDate: fx.failed.state.startDate,
          duration: fx.failed.state.duration,
          url: fx.link,
          labels: [],
          taskRuns: [],
        },
        duration: humanDuration(fx.failed.state.duration),
        failedTask: { taskId: "boom", id: "" },
      };
      expect(html).toBe(summaryHtml(summary, { Team: "data" }, "Look"));
      expect(logMessages(test, x, "notify", "WARN")).toEqual([]);
    },
  );

  it("ignores htmlContent and textContent as Kestra does, with a warning, and accepts its template properties", async () => {
    const { x, body } = await ok(
      run(
        EXECUTION,
        `${mail()}\nexecutionId: "${fx.failed.id}"\nhtmlContent: mine\ntextContent: mine\ntemplateUri: a.peb\ntextTemplateUri: b.peb\ntemplateRenderMap:\n  mine: x`,
      ),
    );
    expect(JSON.stringify(body)).not.toContain("mine");
    expect(JSON.stringify(body)).toContain("[company.prod] nightly ➛ FAILED");
    expect(logMessages(test, x, "notify", "WARN")).toEqual([
      "htmlContent and textContent are ignored by SendGridMailExecution, as by Kestra's: the execution's summary is sent (customMessage and customFields add to it; SendGridMailSend sends a htmlContent or textContent of your own)",
    ]);
  });

  it("fails naming executionId when there is no such execution", async () => {
    const before = hook.received.length;
    const x = await run(EXECUTION, `${mail()}\nexecutionId: not-there`);
    expect(errorMessages(test, x, "notify").join("\n")).toContain("executionId: no execution 'not-there'");
    expect(hook.received.length).toBe(before);
  });
});

describe("bad inputs and secrets", () => {
  it.each([
    ["sendgridApiKey", `from: a@example.com\nto: [b@example.com]`, "tasks[0].sendgridApiKey: is required"],
    ["from", `sendgridApiKey: k\nto: [b@example.com]`, "tasks[0].from: is required"],
    ["to", `sendgridApiKey: k\nfrom: a@example.com`, "tasks[0].to: is required"],
    ["an empty to", `sendgridApiKey: k\nfrom: a@example.com\nto: []`, "tasks[0].to: must have at least 1 item"],
  ])("refuses a flow without %s", async (_, props, message) => {
    await expect(run(SEND, `url: "${hook.url}/v3/mail/send"\n${props}`)).rejects.toThrow(message);
  });

  it("fails naming the attachment whose file is not in storage, before sending", async () => {
    const before = hook.received.length;
    const x = await runWithFiles(
      SEND,
      `${mail()}\ntextContent: hi\nattachments:\n  - name: report.csv\n    uri: "{{ outputs.report.uri }}.gone"`,
    );
    expect(x.state.current).toBe("FAILED");
    const uri = `${taskRun(x, "report").outputs!.uri as string}.gone`;
    expect(errorMessages(test, x, "notify").join("\n")).toContain(
      `attachments[0].uri: no file in internal storage at ${uri} (report.csv)`,
    );
    expect(hook.received.length).toBe(before);
  });

  it("keeps a secret API key out of logs and errors", async () => {
    const key = `sendgridApiKey: "{{ secret('SENDGRID_API_KEY') }}"`;
    const sent = await ok(
      run(SEND, `url: "${hook.url}/v3/mail/send"\n${key}\nfrom: a@example.com\nto: [b@example.com]\ntextContent: hi`),
    );
    expect(hook.received.at(-1)!.authorization).toBe(`Bearer ${SECRET_KEY}`);
    expect(allLogs(sent.x)).not.toContain(SECRET_KEY);
    const x = await run(
      EXECUTION,
      `url: "${hook.url}/status/400"\n${key}\nfrom: a@example.com\nto: [b@example.com]\nexecutionId: "${fx.failed.id}"`,
    );
    expect(x.state.current).toBe("FAILED");
    expect(errorMessages(test, x, "notify").join("\n")).toContain("SendGrid API failed with status code: 400");
    expect(allLogs(x)).not.toContain(SECRET_KEY);
  });

  it("stars out the API key a server sends back, in errors and outputs", async () => {
    const refused = await run(SEND, `${mail("/echo/401")}\ntextContent: hi`);
    const errors = errorMessages(test, refused, "notify").join("\n");
    expect(errors).toContain("SendGrid API failed with status code: 401 and body: you sent Bearer ******");
    expect(allLogs(refused)).not.toContain("SG.test-key");
    const { x } = await ok(run(SEND, `${mail("/echo/200")}\ntextContent: hi`));
    expect(outputsOf(x, "notify")).toEqual({
      body: "you sent Bearer ******",
      headers: expect.objectContaining({ "X-Echo": "Bearer ******" }) as unknown,
      statusCode: 200,
    });
    expect(JSON.stringify(outputsOf(x, "notify"))).not.toContain("SG.test-key");
  });
});
