import { describe, expect, it } from "vitest";
import type { FlowInput } from "../api/types.ts";
import {
  arrayItems,
  checkField,
  checkFields,
  durationMs,
  errorsByInput,
  fieldsOf,
  formBody,
  initialValues,
  serverCheck,
} from "./inputsForm.ts";

const INPUTS: FlowInput[] = [
  { id: "name", type: "STRING", validator: "[a-z]+", description: "Who to greet", displayName: "Name" },
  { id: "count", type: "INT", min: 1, max: 10, defaults: 3 },
  { id: "ratio", type: "FLOAT", required: false },
  { id: "flag", type: "BOOLEAN", defaults: true },
  { id: "color", type: "SELECT", values: ["red", "green"], defaults: "green" },
  { id: "size", type: "ENUM", values: ["S", "M", "L"] },
  { id: "radio", type: "SELECT", values: ["a", "b"], isRadio: true, autoSelectFirst: true },
  { id: "tags", type: "MULTISELECT", values: ["x", "y", "z"], defaults: ["x", "z"] },
  { id: "when", type: "DATETIME", required: false },
  { id: "day", type: "DATE", after: "2020-01-01", required: false },
  { id: "at", type: "TIME", required: false },
  { id: "wait", type: "DURATION", min: "PT1M", max: "PT1H", defaults: "PT5M" },
  { id: "data", type: "FILE", allowedFileExtensions: [".csv", ".txt"] },
  { id: "config", type: "JSON", defaults: { a: 1 } },
  { id: "doc", type: "YAML", required: false },
  { id: "site", type: "URI", required: false },
  { id: "mail", type: "EMAIL", required: false },
  { id: "token", type: "SECRET", required: false },
  { id: "ids", type: "ARRAY", itemType: "INT", defaults: [1, 2] },
  { id: "form", type: "FORM", inputs: [{ id: "inner", type: "STRING", prefill: "hi" }] },
];

const fields = fieldsOf(INPUTS);
const field = (id: string) => fields.find((f) => f.id === id)!;

describe("fieldsOf", () => {
  it("gives every input type its control", () => {
    expect(Object.fromEntries(fields.map((f) => [f.id, f.control]))).toEqual({
      name: "text",
      count: "number",
      ratio: "number",
      flag: "checkbox",
      color: "select",
      size: "select",
      radio: "radio",
      tags: "multiselect",
      when: "datetime",
      day: "date",
      at: "time",
      wait: "duration",
      data: "file",
      config: "json",
      doc: "yaml",
      site: "uri",
      mail: "email",
      token: "secret",
      ids: "array",
      "form.inner": "text",
    });
  });

  it("pre-fills defaults and prefill values, and marks required inputs without a default", () => {
    expect(initialValues(fields)).toMatchObject({
      name: "",
      count: "3",
      flag: true,
      color: "green",
      size: "",
      radio: "a",
      tags: ["x", "z"],
      wait: "PT5M",
      config: '{\n  "a": 1\n}',
      ids: "1\n2",
      "form.inner": "hi",
    });
    expect(fields.filter((f) => f.required).map((f) => f.id)).toEqual(["name", "size", "radio", "data", "form.inner"]);
    expect(field("name")).toMatchObject({ label: "Name", description: "Who to greet", pattern: "[a-z]+" });
    expect(field("count")).toMatchObject({ min: 1, max: 10 });
    expect(field("data").accept).toBe(".csv,.txt");
    expect(field("color").options).toEqual(["red", "green"]);
  });

  it("keeps a FILE input's default for the server", () => {
    const [f] = fieldsOf([{ id: "f", type: "FILE", defaults: "nsfile:///data.csv" }]);
    expect(f).toMatchObject({ required: false, serverDefault: "nsfile:///data.csv", initial: undefined });
  });

  it("leaves a default that is an expression to the server, which renders it: nothing is sent for it", () => {
    const dynamic = fieldsOf([
      { id: "day", type: "DATE", defaults: "{{ now() | date('yyyy-MM-dd') }}" },
      { id: "backup", type: "BOOL", defaults: "{{ inputs.env == 'PROD' }}" },
      { id: "plain", type: "STRING", defaults: "kept" },
      { id: "pick", type: "SELECT", values: ["a", "b"], autoSelectFirst: true, defaults: "{{ 'b' }}" },
    ]);
    // the first option is not chosen over the default the server renders
    expect(dynamic[3]).toMatchObject({ initial: "", serverDefault: "{{ 'b' }}" });
    expect(dynamic[0]).toMatchObject({
      required: false,
      initial: "",
      serverDefault: "{{ now() | date('yyyy-MM-dd') }}",
    });
    expect(dynamic[1]).toMatchObject({
      required: false,
      initial: undefined,
      serverDefault: "{{ inputs.env == 'PROD' }}",
    });
    expect(dynamic[2]).toMatchObject({ initial: "kept" });
    expect(dynamic[2]!.serverDefault).toBeUndefined();
    const body = formBody(dynamic, initialValues(dynamic));
    expect([...body.keys()]).toEqual(["plain"]);
    // once set by the user, the checkbox's value is sent, false included
    expect(formBody(dynamic, { ...initialValues(dynamic), backup: false }).get("backup")).toBe("false");
  });
});

describe("checkField mirrors the server's checks", () => {
  const cases: [string, unknown, string | undefined][] = [
    ["name", "", "Required"],
    ["name", "abc", undefined],
    ["name", "ABC", "It must match the pattern [a-z]+"],
    ["count", "0", "It must be more than 1"],
    ["count", "11", "It must be less than 10"],
    ["count", "2.5", "Expected an integer"],
    ["count", "5", undefined],
    ["ratio", "abc", "Expected a number"],
    ["ratio", "0.5", undefined],
    ["ratio", "", undefined],
    ["size", "XL", "It must be one of S, M, L"],
    ["tags", ["x", "w"], "'w' is not one of x, y, z"],
    ["when", "2026-01-31T09:30:00", "Expected a date and time with an offset, such as 2026-01-31T09:30:00Z"],
    ["when", "2026-01-31T09:30:00+01:00", undefined],
    ["day", "2026-02-30", "Expected a date as YYYY-MM-DD"],
    ["day", "2019-05-01", "It must be after 2020-01-01"],
    ["day", "2021-05-01", undefined],
    ["at", "25:00", "Expected a time as HH:mm or HH:mm:ss"],
    ["at", "09:30", undefined],
    ["wait", "PT30S", "It must be more than PT1M"],
    ["wait", "P1D", "It must be less than PT1H"],
    ["wait", "5 minutes", "Expected an ISO-8601 duration, such as PT5M or P1D"],
    ["config", "{a:1}", expect.stringContaining("Invalid JSON")],
    ["site", "not a uri", "Expected a URI such as https://example.com/file"],
    ["site", "https://example.com/a.csv", undefined],
    ["mail", "someone", "Expected an email address"],
    ["mail", "a@b.org", undefined],
    ["ids", "1\nx", "Item 'x': Expected an integer"],
    ["ids", "[1, 2]", undefined],
    ["ids", "[1,", "Expected a JSON array, or one value per line"],
  ];
  it.each(cases)("%s = %j", (id, value, expected) => {
    expect(checkField(field(id), value as never)).toEqual(expected);
  });

  it("checks an uploaded file's extension, and requires a file without a default", () => {
    expect(checkField(field("data"), undefined)).toBe("Required");
    expect(checkField(field("data"), new File(["a"], "x.json"))).toBe("The file must end with .csv, .txt");
    expect(checkField(field("data"), new File(["a"], "x.CSV"))).toBeUndefined();
  });

  it("collects the problems of every field", () => {
    expect(Object.keys(checkFields(fields, initialValues(fields)))).toEqual(["name", "size", "data"]);
  });
});

describe("formBody", () => {
  it("sends values as the API takes them: booleans, JSON lists, files; empty optional inputs left out", async () => {
    const values = {
      ...initialValues(fields),
      name: "abc",
      ratio: "",
      tags: ["y"],
      ids: "4\n5",
      data: new File(["hello"], "data.csv"),
    };
    const body = formBody(fields, values);
    expect(body.get("name")).toBe("abc");
    expect(body.get("count")).toBe("3");
    expect(body.has("ratio")).toBe(false);
    expect(body.get("flag")).toBe("true");
    expect(body.get("tags")).toBe('["y"]');
    expect(body.get("ids")).toBe('["4","5"]');
    const file = body.get("data") as File;
    expect(file.name).toBe("data.csv");
    expect(await file.text()).toBe("hello");
    expect(body.get("form.inner")).toBe("hi");
  });
});

describe("answers of the server", () => {
  it("reads the validate answer's errors and the inputs left out by input", () => {
    expect(
      serverCheck({
        inputs: [
          { input: { id: "a" }, enabled: true, errors: [{ message: "Invalid input for `a`, x" }] },
          { input: { id: "b" }, enabled: true, errors: [] },
          { input: { id: "c" }, enabled: false, errors: [{ message: "missing" }] },
        ],
      }),
    ).toEqual({ errors: { a: "Invalid input for `a`, x" }, disabled: ["c"] });
  });

  it("reads a refused execution's messages by input", () => {
    expect(errorsByInput(["Invalid input for `count`, it must be less than `10`", "Something else"])).toEqual({
      byId: { count: "Invalid input for `count`, it must be less than `10`" },
      other: ["Something else"],
    });
  });

  it("reads durations and array items", () => {
    expect(durationMs("PT1H30M")).toBe(5_400_000);
    expect(durationMs("P1D")).toBe(86_400_000);
    expect(arrayItems(" a\n\n b ")).toEqual(["a", "b"]);
    expect(arrayItems('["a", 1]')).toEqual(["a", "1"]);
  });
});
