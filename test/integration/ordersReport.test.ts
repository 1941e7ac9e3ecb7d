/**
 * Issue 13's acceptance: `examples/orders-report.yaml`, unchanged, through the real CLI on a fresh
 * data folder with the bundled plugins. It queries PostgreSQL (`fetchType: STORE`), converts the
 * rows to CSV, Excel and Parquet, zips them, mails the zip to a real SMTP server on loopback, and on
 * failure posts to a Slack webhook (a real HTTP server on loopback). Needs PostgreSQL on
 * 127.0.0.1:5432: with CI=true a missing PostgreSQL fails, locally the test is skipped.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serviceAvailable } from "../../plugins/jdbc/test/support.ts";
import { startSmtpServer, type TestSmtpServer } from "../../plugins/email/test/support.ts";
import { ROOT, executionOf, runCli } from "./cli.ts";
import { readZip } from "./zip.ts";
import { readParquetRows, readXlsxRows } from "./formats.ts";

const FLOW = join(ROOT, "examples/orders-report.yaml");
const TABLE = `orders_report_${process.pid}`;
const up = await serviceAvailable("PostgreSQL", "127.0.0.1", 5432);

interface SlackPost {
  path: string;
  body: string;
}

describe.skipIf(!up)("examples/orders-report.yaml from a fresh data folder", () => {
  let work: string;
  let smtp: TestSmtpServer;
  let slack: Server;
  const posts: SlackPost[] = [];
  let secrets: Record<string, string>;
  const admin = new pg.Client({ host: "127.0.0.1", port: 5432, user: "postgres", database: "test" });

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "saker-orders-report-"));
    await admin.connect();
    await admin.query(`drop table if exists ${TABLE}`);
    await admin.query(
      `create table ${TABLE} (id int primary key, customer text not null, amount double precision, ordered_at timestamp not null)`,
    );
    await admin.query(
      `insert into ${TABLE} select n, 'customer ' || n, case when n = 3 then null else n * 10.5 end,
         timestamp '2026-12-01 08:00:00' + n * interval '1 hour' from generate_series(1, 5) as n`,
    );
    smtp = await startSmtpServer();
    slack = createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        posts.push({ path: req.url ?? "", body });
        res.end("ok");
      });
    });
    await new Promise<void>((resolve) => slack.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/services/T000/B000/XXXX`;
    secrets = { SECRET_SLACK_WEBHOOK: Buffer.from(url).toString("base64") };
  });

  afterAll(async () => {
    await admin.query(`drop table if exists ${TABLE}`).catch(() => undefined);
    await admin.end();
    await smtp?.close();
    await new Promise((resolve) => slack?.close(resolve));
    rmSync(work, { recursive: true, force: true });
  });

  const run = (inputs: Record<string, string>) =>
    runCli(["flow", "run", FLOW, "--json", ...Object.entries(inputs).flatMap(([k, v]) => ["-i", `${k}=${v}`])], {
      home: join(work, "home"),
      env: secrets,
      timeoutMs: 180_000,
    });

  it("mails CSV, Excel and Parquet in one zip", async () => {
    const result = await run({ table: TABLE, smtpPort: String(smtp.port), recipients: "ops@example.com" });
    const execution = executionOf(result);
    expect(execution.state.current, result.stderr).toBe("SUCCESS");
    expect(posts).toEqual([]);

    expect(smtp.received).toHaveLength(1);
    const { envelope, mail } = smtp.received[0]!;
    expect(envelope.to).toEqual(["ops@example.com"]);
    expect(mail.subject).toMatch(/^Orders report \d{4}-\d{2}-\d{2}$/);
    expect(mail.html).toContain("(5 rows)");
    expect(mail.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ["orders-report.zip", "application/zip"],
    ]);

    const entries = await readZip(mail.attachments[0]!.content);
    expect([...entries.keys()].sort()).toEqual(["orders.csv", "orders.parquet", "orders.xlsx"]);
    expect(entries.get("orders.csv")!.toString("utf8")).toBe(
      [
        "id,customer,amount,ordered_at",
        "1,customer 1,10.5,2026-12-01T09:00:00.000",
        "2,customer 2,21,2026-12-01T10:00:00.000",
        "3,customer 3,,2026-12-01T11:00:00.000",
        "4,customer 4,42,2026-12-01T12:00:00.000",
        "5,customer 5,52.5,2026-12-01T13:00:00.000",
        "",
      ].join("\n"),
    );

    const sheet = await readXlsxRows(entries.get("orders.xlsx")!);
    expect(sheet[0]).toEqual(["id", "customer", "amount", "ordered_at"]);
    expect(sheet.slice(1).map((r) => r.slice(0, 3))).toEqual([
      [1, "customer 1", 10.5],
      [2, "customer 2", 21],
      [3, "customer 3", null],
      [4, "customer 4", 42],
      [5, "customer 5", 52.5],
    ]);

    // A timestamp is a real Excel date cell, not text.
    expect((sheet[1]![3] as Date).toISOString()).toBe("2026-12-01T09:00:00.000Z");

    const parquet = await readParquetRows(entries.get("orders.parquet")!);
    expect(parquet.map((r) => [r.id, r.customer, r.amount])).toEqual([
      [1, "customer 1", 10.5],
      [2, "customer 2", 21],
      [3, "customer 3", null],
      [4, "customer 4", 42],
      [5, "customer 5", 52.5],
    ]);
    const first = parquet[0]!.ordered_at;
    expect(first instanceof Date ? first.toISOString() : new Date(Number(first)).toISOString()).toBe(
      "2026-12-01T09:00:00.000Z",
    );
  });

  it("posts to Slack, and sends no mail, when the query fails", async () => {
    const before = smtp.received.length;
    const result = await run({ table: "no_such_table_for_orders", smtpPort: String(smtp.port) });
    const execution = executionOf(result);
    expect(execution.state.current).toBe("FAILED");
    expect(smtp.received).toHaveLength(before);
    expect(posts).toHaveLength(1);
    expect(posts[0]!.path).toBe("/services/T000/B000/XXXX");
    expect(JSON.parse(posts[0]!.body)).toEqual({
      text: `Orders report failed: execution ${execution.id} of company.reports.orders_report`,
    });
    // The webhook URL is a secret: it is not in the execution the CLI prints.
    expect(result.stdout).not.toContain("/services/T000/B000/XXXX");
  });
});
