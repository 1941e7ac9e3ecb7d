/**
 * The grok tasks in real flows on a real engine: Kestra's documented cases (captures, several
 * expressions, empty captures), conversions, custom and file-defined patterns, files of Ion
 * strings and of plain text lines, a 100,000-line log, and bad inputs failing with errors naming
 * the property.
 */
import { describe, expect, it } from "vitest";
import { outputsOf, taskRun } from "@saker/engine/testing";
import { flowOf, GROK_ITEMS, GROK_VALUE, task, useTransformInstance } from "../test/support.ts";

const { test, namespaceFile, records, errors } = useTransformInstance();

/** Runs one grok.TransformValue with these property lines; the execution and its `value`. */
async function grokValue(id: string, props: string) {
  const ex = await test.run(flowOf(id, task("t", GROK_VALUE, props)));
  return { ex, value: taskRun(ex, "t").outputs?.value as Record<string, unknown> | undefined };
}

describe("grok.TransformValue", () => {
  it("splits a log line as in Kestra's example", async () => {
    const { ex, value } = await grokValue(
      "grok_log",
      `from: "2020-12-14T12:18:51.397Z ERROR Something went wrong.."\npattern: "%{TIMESTAMP_ISO8601:logdate} %{LOGLEVEL:loglevel} %{GREEDYDATA:message}"`,
    );
    expect(ex.state.current, errors(ex, "t")).toBe("SUCCESS");
    expect(value).toEqual({
      logdate: "2020-12-14T12:18:51.397Z",
      loglevel: "ERROR",
      message: "Something went wrong..",
    });
  });

  it("captures every %{NAME} when namedCapturesOnly is false, and only named ones by default", async () => {
    const all = await grokValue(
      "grok_unnamed",
      `from: unit-test@kestra.io\npatterns: ["%{EMAILADDRESS}"]\nnamedCapturesOnly: false`,
    );
    expect(all.value).toEqual({
      HOSTNAME: "kestra.io",
      EMAILLOCALPART: "unit-test",
      EMAILADDRESS: "unit-test@kestra.io",
    });
    const named = await grokValue("grok_named", `from: unit-test@kestra.io\npatterns: ["%{EMAILADDRESS:email}"]`);
    expect(named.value).toEqual({ email: "unit-test@kestra.io" });
  });

  it("tries every expression and merges them with breakOnFirstMatch: false, stops at the first match by default", async () => {
    const merged = await grokValue(
      "grok_all",
      `from: "42 unit-test@kestra.io"\npatterns: ["%{NUMBER}", "%{EMAILADDRESS}"]\nnamedCapturesOnly: false\nbreakOnFirstMatch: false`,
    );
    expect(merged.value).toEqual({
      NUMBER: "42",
      BASE10NUM: "42",
      HOSTNAME: "kestra.io",
      EMAILLOCALPART: "unit-test",
      EMAILADDRESS: "unit-test@kestra.io",
    });
    const first = await grokValue(
      "grok_first",
      `from: "42 unit-test@kestra.io"\npatterns: ["%{NUMBER:n}", "%{EMAILADDRESS:email}"]`,
    );
    expect(first.value).toEqual({ n: "42" });
    // the first expression does not match: the second one's captures
    const second = await grokValue(
      "grok_second",
      `from: unit-test@kestra.io\npatterns: ["%{NUMBER:n}", "%{EMAILADDRESS:email}"]`,
    );
    expect(second.value).toEqual({ email: "unit-test@kestra.io" });
  });

  it("leaves out what an optional part did not capture, unless keepEmptyCaptures", async () => {
    const pattern = `pattern: '%{IP:client_ip}(?:\\s+%{WORD:method})? %{NOTSPACE:url}'`;
    const kept = await grokValue("grok_keep", `from: 192.168.1.1 /index.html\n${pattern}\nkeepEmptyCaptures: true`);
    expect(kept.value).toEqual({ client_ip: "192.168.1.1", method: "", url: "/index.html" });
    const dropped = await grokValue("grok_drop", `from: 192.168.1.1 /index.html\n${pattern}`);
    expect(dropped.value).toEqual({ client_ip: "192.168.1.1", url: "/index.html" });
  });

  it("converts typed captures, reads (?<name>…) groups and custom pattern definitions", async () => {
    const { ex, value } = await grokValue(
      "grok_types",
      `from: "job ORD-0042 by alice took 12.5 ms, 3 rows, cached=true"
pattern: '%{ORDER:order} by %{WORD:user} took %{NUMBER:ms:float} ms, %{INT:rows:int} rows, cached=%{WORD:cached:boolean}'
patternDefinitions:
  ORDER: '(?<prefix>[A-Z]{3})-%{INT:number:int}'`,
    );
    expect(ex.state.current, errors(ex, "t")).toBe("SUCCESS");
    expect(value).toEqual({
      order: "ORD-0042",
      prefix: "ORD",
      number: 42,
      user: "alice",
      ms: 12.5,
      rows: 3,
      cached: true,
    });
  });

  it("lets a custom definition replace a standard one, and gives an empty map when nothing matches", async () => {
    const replaced = await grokValue(
      "grok_override",
      `from: "level=LOUD"\npattern: "level=%{LOGLEVEL:level}"\npatternDefinitions:\n  LOGLEVEL: "LOUD|QUIET"`,
    );
    expect(replaced.value).toEqual({ level: "LOUD" });
    const none = await grokValue("grok_none", `from: "no digits here"\npattern: "%{INT:n}"`);
    expect(none.ex.state.current).toBe("SUCCESS");
    expect(none.value).toEqual({});
  });

  it("reads pattern files from patternsDir, in a WorkingDirectory", async () => {
    const ex = await test.run(
      flowOf(
        "grok_patterns_dir",
        `  - id: wd
    type: io.kestra.plugin.core.flow.WorkingDirectory
    inputFiles:
      custom-patterns/email: |
        # mail addresses of the team
        EMAILLOCALPART [a-zA-Z][a-zA-Z0-9_.+-=:]+
        EMAIL %{EMAILLOCALPART}@%{HOSTNAME}
    tasks:
` +
          task(
            "t",
            GROK_VALUE,
            `from: unit-test@kestra.io\npattern: "%{EMAIL}"\nnamedCapturesOnly: false\npatternsDir: ["./custom-patterns"]`,
          )
            .split("\n")
            .map((l) => (l ? `    ${l}` : l))
            .join("\n"),
      ),
    );
    expect(ex.state.current, errors(ex, "t")).toBe("SUCCESS");
    expect(outputsOf(ex, "t").value).toEqual({
      EMAIL: "unit-test@kestra.io",
      EMAILLOCALPART: "unit-test",
      HOSTNAME: "kestra.io",
    });
  });

  it.each([
    ["an unknown pattern name", `pattern: "%{NOPE:x}"`, "property 'pattern' uses the unknown grok pattern 'NOPE'"],
    [
      "an unknown name in a second expression",
      `patterns: ["%{INT:n}", "%{IPV5:ip}"]`,
      "property 'patterns[1]' uses the unknown grok pattern 'IPV5'",
    ],
    [
      "a custom pattern using an unknown one",
      `pattern: "%{MINE:m}"\npatternDefinitions:\n  MINE: "%{THEIRS}"`,
      "property 'pattern' uses the unknown grok pattern 'THEIRS' (used by pattern MINE)",
    ],
    ["no expression at all", `namedCapturesOnly: true`, "property 'pattern' or 'patterns' must be set"],
    [
      "an invalid regular expression",
      `pattern: "%{WORD:w} (open"`,
      "property 'pattern' is not a valid regular expression once its grok patterns are expanded: Unterminated group",
    ],
    [
      "a capture that is not its type",
      `pattern: "%{WORD:n:int}"`,
      "grok field 'n' captured 'some', which is not a int",
    ],
    [
      "a patternsDir outside the working directory",
      `pattern: "%{WORD:w}"\npatternsDir: ["../.."]`,
      "property 'patternsDir' must name folders of the working directory",
    ],
  ])("fails on %s, saying what to fix", async (_, props, message) => {
    const { ex } = await grokValue("grok_bad", `from: some text\n${props}`);
    expect(ex.state.current).toBe("FAILED");
    expect(errors(ex, "t")).toContain(message);
  });
});

describe("grok.TransformItems", () => {
  it("parses an Ion file of strings (as Kestra writes), leaving out the lines that do not match", async () => {
    const from = await namespaceFile(
      "logs.ion",
      [
        '"2020-12-14T12:18:51.397Z INFO Hi from Kestra team!"',
        '"DEBUG:root:This message should go to the log file"',
        '"2020-12-14T12:18:51.397Z ERROR Something went wrong.."',
        '"random text should be ignored"',
        '"2020-12-14T12:18:52Z WARN quote \\" and tab\\there, caf\\u00e9"',
      ].join("\n"),
    );
    const ex = await test.run(
      flowOf(
        "grok_items_ion",
        task(
          "t",
          GROK_ITEMS,
          `from: "${from}"\npattern: "%{TIMESTAMP_ISO8601:logdate} %{LOGLEVEL:loglevel} %{GREEDYDATA:message}"`,
        ),
      ),
    );
    expect(ex.state.current, errors(ex, "t")).toBe("SUCCESS");
    expect(await records(ex, "t")).toEqual([
      { logdate: "2020-12-14T12:18:51.397Z", loglevel: "INFO", message: "Hi from Kestra team!" },
      { logdate: "2020-12-14T12:18:51.397Z", loglevel: "ERROR", message: "Something went wrong.." },
      { logdate: "2020-12-14T12:18:52Z", loglevel: "WARN", message: 'quote " and tab\there, café' },
    ]);
    expect(outputsOf(ex, "t").processedItemsTotal).toBe(3);
    expect(outputsOf(ex, "t").uri).toMatch(/\.ion$/);
  });

  it("merges several expressions per item, as Kestra's test", async () => {
    const from = await namespaceFile(
      "mails.ion",
      '"1 unittest@kestra.io"\n"2 admin@kestra.io"\n"3 no-reply@kestra.io"\n',
    );
    const ex = await test.run(
      flowOf(
        "grok_items_merge",
        task(
          "t",
          GROK_ITEMS,
          `from: "${from}"\npatterns: ["%{INT}", "%{EMAILADDRESS}"]\nnamedCapturesOnly: false\nbreakOnFirstMatch: false`,
        ),
      ),
    );
    expect(await records(ex, "t")).toEqual(
      ["unittest", "admin", "no-reply"].map((user, i) => ({
        INT: String(i + 1),
        EMAILADDRESS: `${user}@kestra.io`,
        EMAILLOCALPART: user,
        HOSTNAME: "kestra.io",
      })),
    );
  });

  it("parses a plain text access log written by a previous task, with typed fields", async () => {
    const log = [
      '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08"',
      "",
      "garbage line",
      '2001:db8::1 - - [11/Oct/2000:08:00:00 +0000] "POST /api/v1/items?x=1 HTTP/1.1" 201 - "-" "curl/8.0"',
    ].join("\r\n");
    const ex = await test.run(
      flowOf(
        "grok_items_text",
        task("write", "io.kestra.plugin.core.storage.Write", `content: ${JSON.stringify(log)}\nextension: .log`) +
          task(
            "t",
            GROK_ITEMS,
            `from: "{{ outputs.write.uri }}"\npattern: '^%{IPORHOST:ip} %{USER:ident} %{USER:auth} \\[%{HTTPDATE:time}\\] "%{WORD:verb} %{URIPATHPARAM:path} HTTP/%{NUMBER:http:float}" %{INT:status:int} (?:%{INT:bytes:int}|-)'`,
          ),
      ),
    );
    expect(ex.state.current, errors(ex, "t")).toBe("SUCCESS");
    expect(await records(ex, "t")).toEqual([
      {
        ip: "127.0.0.1",
        ident: "-",
        auth: "frank",
        time: "10/Oct/2000:13:55:36 -0700",
        verb: "GET",
        path: "/apache_pb.gif",
        http: 1,
        status: 200,
        bytes: 2326,
      },
      {
        ip: "2001:db8::1",
        ident: "-",
        auth: "-",
        time: "11/Oct/2000:08:00:00 +0000",
        verb: "POST",
        path: "/api/v1/items?x=1",
        http: 1.1,
        status: 201,
      },
    ]);
    expect(outputsOf(ex, "t").processedItemsTotal).toBe(2);
  });

  it("streams 100,000 lines", async () => {
    const lines: string[] = [];
    for (let i = 0; i < 100_000; i++)
      lines.push(
        `2024-05-01T10:${String(Math.floor(i / 60) % 60).padStart(2, "0")}:00Z ${i % 10 === 0 ? "ERROR" : "INFO"} request ${i} took ${i % 1000} ms`,
      );
    const from = await namespaceFile("big.log", `${lines.join("\n")}\n`);
    const ex = await test.run(
      flowOf(
        "grok_items_big",
        task(
          "t",
          GROK_ITEMS,
          `from: "${from}"\npattern: "%{TIMESTAMP_ISO8601:at} ERROR request %{INT:id:int} took %{INT:ms:int} ms"`,
        ),
      ),
      {},
      120_000,
    );
    expect(ex.state.current, errors(ex, "t")).toBe("SUCCESS");
    expect(outputsOf(ex, "t").processedItemsTotal).toBe(10_000);
    const out = await records(ex, "t");
    expect(out).toHaveLength(10_000);
    expect(out[0]).toEqual({ at: "2024-05-01T10:00:00Z", id: 0, ms: 0 });
    expect(out[9_999]).toEqual({ at: "2024-05-01T10:46:00Z", id: 99_990, ms: 990 });
  }, 180_000);

  it("fails on a missing file, naming the property", async () => {
    const ex = await test.run(
      flowOf(
        "grok_items_missing",
        task("t", GROK_ITEMS, `from: kestra:///company/transform/_files/none.log\npattern: "%{WORD:w}"`),
      ),
    );
    expect(ex.state.current).toBe("FAILED");
    expect(errors(ex, "t")).toContain("property 'from' cannot be read: ");
  });
});

describe("grok off the worker's event loop", () => {
  /** 40 a's without the b: about 2^40 steps for `(a+)+b` on a backtracking engine. */
  const EVIL = { text: "a".repeat(40), pattern: "(?<x>(a+)+b)" };

  it("a pattern that backtracks catastrophically holds only its thread: other executions run, the timeout stops it", async () => {
    const started = Date.now();
    const stuck = test.run(
      flowOf("grok_stuck", task("t", GROK_VALUE, `from: ${EVIL.text}\npattern: "${EVIL.pattern}"\ntimeout: PT3S`)),
    );
    // meanwhile the process answers: timers fire, and another grok execution runs to its end
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const other = await grokValue("grok_meanwhile", `from: "42"\npattern: "%{NUMBER:n:int}"`);
    clearInterval(timer);
    expect(other.value).toEqual({ n: 42 });
    expect(ticks).toBeGreaterThan(20);
    const ex = await stuck;
    expect(ex.state.current).toBe("FAILED");
    expect(errors(ex, "t")).toContain("Timeout after");
    expect(Date.now() - started).toBeLessThan(15_000);
    // a new thread replaces the stopped one
    expect((await grokValue("grok_after", `from: "7"\npattern: "%{NUMBER:n:int}"`)).value).toEqual({ n: 7 });
  });

  it("TransformItems: a line that stalls the pattern is stopped by the timeout, nothing stored", async () => {
    const from = await namespaceFile("evil.log", ["aab", "ab", EVIL.text, "b"].join("\n"));
    const ex = await test.run(
      flowOf("grok_items_stuck", task("t", GROK_ITEMS, `from: ${from}\npattern: "${EVIL.pattern}"\ntimeout: PT2S`)),
    );
    expect(ex.state.current).toBe("FAILED");
    expect(errors(ex, "t")).toContain("Timeout after");
    expect(taskRun(ex, "t").outputs?.uri).toBeUndefined();
  });
});
