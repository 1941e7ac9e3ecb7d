/**
 * The standard pattern library and the grok compiler on their own: every pattern compiles as a
 * Unicode regular expression, matches what its name promises and refuses look-alikes; then the
 * compiler's rules (captures, types, references, errors).
 */
import { describe, expect, it } from "vitest";
import { compileGrok } from "./compiler.ts";
import { STANDARD_PATTERNS, parsePatternFile } from "./patterns.ts";

const whole = (name: string) => compileGrok(`^%{${name}}$`, STANDARD_PATTERNS, true, "pattern").regex;

describe("the standard patterns", () => {
  it.each(Object.keys(STANDARD_PATTERNS))("%s compiles as a Unicode regular expression", (name) => {
    expect(whole(name).flags).toContain("u");
  });

  const cases: Array<[string, string[], string[]]> = [
    ["WORD", ["hello", "a_b9"], ["two words", ""]],
    ["NOTSPACE", ["/a/b?c=1", "x"], ["a b", ""]],
    ["INT", ["42", "-7", "+0"], ["4.2", "x1"]],
    ["NUMBER", ["42", "-3.14", ".5"], ["1e", "abc", "1.2.3"]],
    ["BASE10NUM", ["10", "0.25"], ["0x10"]],
    ["POSINT", ["1", "9000"], ["0", "-1", "01"]],
    ["NONNEGINT", ["0", "12"], ["-1"]],
    ["BASE16NUM", ["0x1F", "ff", "-0XA"], ["0xZZ"]],
    ["IPV4", ["192.168.1.1", "0.0.0.0", "255.255.255.255"], ["256.1.1.1", "1.2.3", "01.2.3.4.5"]],
    [
      "IPV6",
      [
        "::1",
        "::",
        "2001:db8::1",
        "fe80::1%eth0",
        "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
        "::ffff:192.168.0.1",
        "1::",
      ],
      ["2001:db8:::1", "12345::1", "1:2:3:4:5:6:7:8:9", "192.168.0.1"],
    ],
    ["IP", ["10.0.0.1", "::1"], ["localhost"]],
    ["HOSTNAME", ["kestra.io", "a-b.example.com", "localhost"], ["-bad.com", "a..b"]],
    ["IPORHOST", ["example.org", "127.0.0.1"], ["a b"]],
    ["HOSTPORT", ["db.local:5432", "10.1.1.1:80"], ["db.local:", "db:0"]],
    ["USERNAME", ["john.doe", "a_b-c"], ["a b", "a@b"]],
    ["EMAILADDRESS", ["unit-test@kestra.io", "first.last+tag@mail.example.com"], ["no-at-sign", "a@", "@b.c"]],
    ["UUID", ["123e4567-e89b-12d3-a456-426614174000"], ["123e4567-e89b-12d3-a456-42661417400", "not-a-uuid"]],
    ["MAC", ["00:1A:2b:3c:4D:5e", "00-1a-2b-3c-4d-5e", "001a.2b3c.4d5e"], ["00:1a:2b:3c:4d", "zz:1a:2b:3c:4d:5e"]],
    ["PATH", ["/var/log/syslog", "C:\\Windows\\System32"], ["relative/path"]],
    ["URIPATH", ["/index.html", "/a/b;c=1"], ["index.html"]],
    ["URIPARAM", ["?a=1&b=2", "?"], ["a=1"]],
    ["URIPATHPARAM", ["/search?q=grok"], ["?q=1"]],
    [
      "URI",
      ["https://kestra.io/docs?x=1", "ftp://user:pw@files.example.com:21/pub", "http://10.0.0.1:8080/"],
      ["kestra.io/docs", "://x"],
    ],
    [
      "TIMESTAMP_ISO8601",
      ["2020-12-14T12:18:51.397Z", "2024-01-31 08:00:00", "2024-01-31T08:00:00+02:00", "2024-1-5T8:05"],
      ["2024-13-01T00:00:00", "20240131", "2024-01-31"],
    ],
    ["HTTPDATE", ["10/Oct/2000:13:55:36 -0700"], ["10/10/2000:13:55:36 -0700"]],
    ["SYSLOGTIMESTAMP", ["Mar  7 04:02:16", "Dec 25 23:59:59"], ["Foo 7 04:02:16"]],
    ["DATE", ["12/31/2024", "31.12.2024", "1-2-24"], ["2024/12/31x"]],
    ["TIME", ["23:59:59", "08:15:00.123"], ["24:00:00", "12:60:00"]],
    ["LOGLEVEL", ["INFO", "warning", "Error", "FATAL", "DEBUG", "trace"], ["LOUD", "info2"]],
    ["QUOTEDSTRING", ['"a \\"b\\" c"', "'single'", "`tick`"], ['"open', "bare"]],
    ["SPACE", ["", "   "], ["x"]],
    ["GREEDYDATA", ["anything at all", ""], []],
    ["DATA", ["x y"], []],
  ];

  it.each(cases)("%s matches what it should", (name, good, bad) => {
    const regex = whole(name);
    for (const text of good) expect(regex.test(text), `${name} on ${JSON.stringify(text)}`).toBe(true);
    for (const text of bad) expect(regex.test(text), `${name} refuses ${JSON.stringify(text)}`).toBe(false);
  });

  it("COMMONAPACHELOG and COMBINEDAPACHELOG give the usual fields", () => {
    const line =
      '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"';
    const combined = compileGrok("%{COMBINEDAPACHELOG}", STANDARD_PATTERNS, true, "pattern").captures(line);
    expect(combined).toEqual({
      clientip: "127.0.0.1",
      ident: "-",
      auth: "frank",
      timestamp: "10/Oct/2000:13:55:36 -0700",
      verb: "GET",
      request: "/apache_pb.gif",
      httpversion: "1.0",
      rawrequest: "",
      response: "200",
      bytes: "2326",
      referrer: '"http://www.example.com/start.html"',
      agent: '"Mozilla/4.08 [en] (Win98; I ;Nav)"',
    });
    const common = compileGrok("^%{COMMONAPACHELOG}$", STANDARD_PATTERNS, true, "pattern");
    expect(common.captures('::1 - - [01/Jan/2024:00:00:00 +0000] "-" 408 -')).toMatchObject({
      clientip: "::1",
      rawrequest: "-",
      response: "408",
      bytes: "",
    });
  });

  it("SYSLOGLINE splits a syslog line", () => {
    const m = compileGrok("%{SYSLOGLINE}", STANDARD_PATTERNS, true, "pattern");
    expect(m.captures("Mar  7 04:02:16 web01 sshd[4321]: Accepted publickey for git")).toEqual({
      timestamp: "Mar  7 04:02:16",
      facility: "",
      priority: "",
      logsource: "web01",
      program: "sshd",
      pid: "4321",
      message: "Accepted publickey for git",
    });
  });
});

describe("the grok compiler", () => {
  const compile = (expression: string, namedOnly = true, extra: Record<string, string> = {}) =>
    compileGrok(expression, { ...STANDARD_PATTERNS, ...extra }, namedOnly, "pattern");

  it("captures %{NAME:field}, and %{NAME} (nested ones too) only when namedCapturesOnly is false", () => {
    expect(compile("%{EMAILADDRESS:email}").captures("mail unit-test@kestra.io now")).toEqual({
      email: "unit-test@kestra.io",
    });
    expect(compile("%{EMAILADDRESS}", false).captures("unit-test@kestra.io")).toEqual({
      EMAILADDRESS: "unit-test@kestra.io",
      EMAILLOCALPART: "unit-test",
      HOSTNAME: "kestra.io",
    });
    expect(compile("%{NUMBER}", false).captures("42")).toEqual({ NUMBER: "42", BASE10NUM: "42" });
  });

  it("converts %{NAME:field:type}: int (long, short), float (double), boolean; an unknown type stays a string", () => {
    const m = compile(
      "%{INT:a:int} %{NUMBER:b:float} %{WORD:c:boolean} %{NUMBER:d:long} %{NUMBER:e:double} %{WORD:f:date}",
    );
    expect(m.captures("12 -3.5 TRUE 7 0.25 x")).toEqual({ a: 12, b: -3.5, c: true, d: 7, e: 0.25, f: "x" });
    expect(m.unknownTypes).toEqual(["date"]);
    expect(() => compile("%{WORD:n:int}").captures("abc")).toThrow("grok field 'n' captured 'abc', which is not a int");
  });

  it("captures (?<name>…) groups, renames them so a field can repeat, and keeps \\k<name> working", () => {
    const m = compile("(?<word>[a-z]+)-\\k<word>|(?<word>[0-9]+)");
    expect(m.captures("abc-abc")).toEqual({ word: "abc" });
    expect(m.captures("123")).toEqual({ word: "123" });
    expect(compile("(?<client-ip>%{IP}) (?<n>\\d+)").captures("10.0.0.1 5")).toEqual({
      "client-ip": "10.0.0.1",
      n: "5",
    });
  });

  it("gives an optional part that did not take part an empty string (null when typed)", () => {
    const m = compile("%{IP:client_ip}(?:\\s+%{WORD:method})? %{NOTSPACE:url}(?: %{INT:size:int})?");
    expect(m.captures("192.168.1.1 /index.html")).toEqual({
      client_ip: "192.168.1.1",
      method: "",
      url: "/index.html",
      size: null,
    });
  });

  it("searches anywhere in the text, anchors and (?i) as written", () => {
    expect(compile("%{INT:n}").captures("abc 42 def")).toEqual({ n: "42" });
    expect(compile("^%{INT:n}$").captures("abc 42")).toBeUndefined();
    expect(compile("(?i)error %{INT:code}").captures("ERROR 500")).toEqual({ code: "500" });
  });

  it("wraps each pattern in a group, so a definition's alternatives stay inside it", () => {
    const m = compile("^%{COLOR:c}!$", true, { COLOR: "red|green" });
    expect(m.captures("green!")).toEqual({ c: "green" });
    expect(m.captures("red")).toBeUndefined();
  });

  it("fails clearly on an unknown pattern, a pattern referring to itself and an invalid regular expression", () => {
    expect(() => compile("%{NOPE:x}")).toThrow("property 'pattern' uses the unknown grok pattern 'NOPE'");
    expect(() => compile("%{A}", true, { A: "x%{B}", B: "%{NOPE2}" })).toThrow(
      "property 'pattern' uses the unknown grok pattern 'NOPE2' (used by pattern A → B)",
    );
    expect(() => compile("%{A}", true, { A: "a%{B}", B: "b%{A}" })).toThrow(
      "property 'pattern' uses grok pattern 'A', which refers to itself: A → B → A",
    );
    expect(() => compile("%{WORD:w} (unclosed")).toThrow(
      "property 'pattern' is not a valid regular expression once its grok patterns are expanded: Unterminated group",
    );
    expect(() => compile("%{constructor}")).toThrow("unknown grok pattern 'constructor'");
  });

  it("reads pattern files: NAME regex per line", () => {
    expect(parsePatternFile("# comment\nEMAILLOCALPART [a-z]+\n\nMY_ID  ID-[0-9]+\r\n")).toEqual({
      EMAILLOCALPART: "[a-z]+",
      MY_ID: "ID-[0-9]+",
    });
  });
});
