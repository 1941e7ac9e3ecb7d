/**
 * MailExecution against a real SMTP server on loopback: the mail received carries the summary of
 * another execution (link, state, failed task, custom fields and message) in HTML and plain text.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { TestInstance } from "@saker/engine/testing";
import { emailInstance, startSmtpServer, taskRun, type TestSmtpServer } from "../test/support.ts";

let test: TestInstance;
let smtp: TestSmtpServer;
beforeAll(async () => {
  test = await emailInstance({ server: { url: "https://saker.example.com/" } });
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await test?.close();
  await smtp?.close();
});

const alertFlow = (id: string, props: string) => `id: ${id}
namespace: company.alerts
tasks:
  - id: mail
    type: io.kestra.plugin.notifications.mail.MailExecution
    host: 127.0.0.1
    port: ${smtp.port}
    transportStrategy: SMTP
    from: alerts@example.com
    to: ops@example.com
${props
  .trim()
  .split("\n")
  .map((l) => `    ${l}`)
  .join("\n")}
`;

it("mails the summary of a failed execution: subject, link, state, failed task, custom fields", async () => {
  const failed = await test.run(`id: etl
namespace: company.prod
tasks:
  - id: extract
    type: io.kestra.plugin.core.log.Log
    message: extracting
  - id: load
    type: io.kestra.plugin.core.execution.Fail
    errorMessage: boom
`);
  expect(failed.state.current).toBe("FAILED");
  const before = smtp.received.length;
  const ex = await test.run(
    alertFlow(
      "alert",
      `subject: "Execution {{ inputs.id }} failed"
executionId: "{{ inputs.id }}"
customMessage: "Production <run> needs attention"
customFields:
  Team: data
  Retries: 3`,
    ).replace("tasks:", "inputs:\n  - id: id\n    type: STRING\ntasks:"),
    { id: failed.id },
  );
  expect(ex.state.current).toBe("SUCCESS");
  expect(smtp.received.length).toBe(before + 1);
  const { mail, envelope } = smtp.received.at(-1)!;
  expect(envelope.to).toEqual(["ops@example.com"]);
  expect(mail.subject).toBe(`Execution ${failed.id} failed`);
  const link = `https://saker.example.com/ui/main/executions/company.prod/etl/${failed.id}`;
  const html = String(mail.html);
  expect(html).toContain(`href="${link}"`);
  expect(html).toContain("[company.prod] etl ➛ <span");
  expect(html).toContain("FAILED");
  expect(html).toContain("Failed on task <code>load</code>");
  expect(html).toContain("Production &lt;run&gt; needs attention");
  expect(html).toContain("<strong>Team:</strong> data");
  expect(html).toContain("<strong>Retries:</strong> 3");
  expect(html).toContain(`<strong>Execution ID:</strong> ${failed.id}`);
  const text = mail.text ?? "";
  expect(text).toContain("[company.prod] etl ➛ FAILED");
  expect(text).toContain("State: FAILED");
  expect(text).toContain("Failed task: load");
  expect(text).toContain(`Details: ${link}`);
  expect(text).toContain("Team: data");
});

it("reports its own execution by default, without a subject, and the success line", async () => {
  const before = smtp.received.length;
  const ex = await test.run(alertFlow("self", "customFields: {}"));
  expect(ex.state.current).toBe("SUCCESS");
  const { mail } = smtp.received[before]!;
  expect(mail.subject ?? "").toBe("");
  expect(String(mail.html)).toContain(`<strong>Execution ID:</strong> ${ex.id}`);
  expect(String(mail.html)).toContain("[company.alerts] self ➛ <span");
  expect(mail.text).toContain("State: RUNNING");
  expect(mail.text).not.toContain("Failed task");
});

it("fails naming executionId when the execution does not exist, and sends nothing", async () => {
  const before = smtp.received.length;
  const ex = await test.run(alertFlow("missing", `executionId: nope`));
  expect(ex.state.current).toBe("FAILED");
  expect(taskRun(ex, "mail").state.current).toBe("FAILED");
  const errors = test.instance.logs
    .find({ executionId: ex.id, minLevel: "ERROR" })
    .map((e) => e.message)
    .join("\n");
  expect(errors).toContain("no execution 'nope'");
  expect(errors).toContain("executionId");
  expect(smtp.received.length).toBe(before);
});
