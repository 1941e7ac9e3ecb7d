/**
 * Kestra's working-directory contract of DuckDB and SQLite Query/Queries, against the real
 * databases in a real engine instance: input files inline and from internal storage, reached
 * with `{{ workingDir }}` (and, in DuckDB, by relative name), output files written by the SQL
 * and stored, the DuckDB url omitted (in memory), and the errors a flow can cause.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestInstance } from "@saker/engine/testing";
import { errorLines, jdbcInstance, storedText, taskRun } from "../../test/support.ts";

let test: TestInstance;

const CSV = "id,name,amount\n1,ada,10\n2,bob,20\n3,cy,30\n";

/** A flow writing CSV to internal storage (task `csv`), then the tasks given as YAML. */
function withStoredCsv(id: string, tasks: string): string {
  return `id: ${id}\nnamespace: company.jdbc\ntasks:\n  - id: csv\n    type: io.kestra.plugin.core.storage.Write\n    content: ${JSON.stringify(CSV)}\n    extension: .csv\n${tasks}`;
}

function warnLines(executionId: string): string[] {
  return test.instance.logs.find({ executionId, minLevel: "WARN" }).map((e) => e.message);
}

describe("working directory of DuckDB and SQLite tasks", () => {
  beforeAll(async () => {
    test = await jdbcInstance();
  });
  afterAll(async () => {
    await test?.close();
  });

  it("DuckDB reads an inline input file with {{ workingDir }}, url omitted (in memory)", async () => {
    const execution = await test.run(`id: inline
namespace: company.jdbc
tasks:
  - id: q
    type: io.kestra.plugin.jdbc.duckdb.Query
    inputFiles:
      data.csv: ${JSON.stringify(CSV)}
    sql: SELECT name, amount FROM read_csv_auto('{{ workingDir }}/data.csv') ORDER BY id
    fetchType: FETCH
`);
    expect(execution.state.current).toBe("SUCCESS");
    expect(taskRun(execution, "q").outputs).toMatchObject({
      rows: [
        { name: "ada", amount: 10 },
        { name: "bob", amount: 20 },
        { name: "cy", amount: 30 },
      ],
      size: 3,
    });
  });

  it("DuckDB reads a stored file given as a kestra:// URI, by relative name too, and writes an output file with COPY", async () => {
    const execution = await test.run(
      withStoredCsv(
        "blueprint",
        `  - id: q
    type: io.kestra.plugin.jdbc.duckdb.Queries
    url: "jdbc:duckdb:"
    inputFiles:
      data.csv: "{{ outputs.csv.uri }}"
    outputFiles:
      - out.csv
      - out
    sql: |
      CREATE TABLE t AS SELECT * FROM read_csv_auto('data.csv', header=True);
      COPY (SELECT name, amount * 2 AS doubled FROM t WHERE amount > 10 ORDER BY id) TO '{{ outputFiles["out.csv"] }}' (HEADER, DELIMITER ',');
      COPY (SELECT count(*) AS n FROM read_csv_auto('{{ workingDir }}/data.csv')) TO '{{ outputFiles.out }}' (HEADER);
`,
      ),
    );
    expect(execution.state.current, JSON.stringify(errorLines(test, execution.id))).toBe("SUCCESS");
    const outputs = taskRun(execution, "q").outputs as { outputFiles: Record<string, string> };
    expect(Object.keys(outputs.outputFiles).sort()).toEqual(["out", "out.csv"]);
    expect(outputs.outputFiles["out.csv"]).toMatch(
      /^kestra:\/\/\/company\/jdbc\/blueprint\/executions\/.+\/tasks\/q\/.+out\.csv$/,
    );
    expect(await storedText(test, outputs.outputFiles["out.csv"]!)).toBe("name,doubled\nbob,40\ncy,60\n");
    expect(await storedText(test, outputs.outputFiles.out!)).toBe("n\n3\n");
  });

  it("SQLite writes a database in the working directory (url with {{ workingDir }}), reads it back as an input file, and writes a copy", async () => {
    const execution = await test.run(`id: sqlite_files
namespace: company.jdbc
tasks:
  - id: make
    type: io.kestra.plugin.jdbc.sqlite.Queries
    url: "jdbc:sqlite:{{ workingDir }}/source.sqlite"
    sql: |
      create table items (id integer, name text);
      insert into items values (1, 'one'), (2, 'two');
    outputFiles: [source.sqlite]
  - id: read
    type: io.kestra.plugin.jdbc.sqlite.Queries
    url: "jdbc:sqlite::memory:"
    inputFiles:
      in.sqlite: '{{ outputs.make.outputFiles["source.sqlite"] }}'
    sql: |
      attach '{{ workingDir }}/in.sqlite' as src;
      select name from src.items order by id;
      vacuum src into '{{ outputFiles["copy.sqlite"] }}';
    fetchType: FETCH
    transaction: false
    outputFiles: [copy.sqlite]
`);
    expect(execution.state.current, JSON.stringify(errorLines(test, execution.id))).toBe("SUCCESS");
    const read = taskRun(execution, "read").outputs as {
      outputs: { rows: unknown[] }[];
      outputFiles: Record<string, string>;
    };
    expect(read.outputs[0]!.rows).toEqual([{ name: "one" }, { name: "two" }]);
    expect(read.outputFiles["copy.sqlite"]).toMatch(/^kestra:\/\/\/.+copy\.sqlite$/);
    expect((await storedText(test, read.outputFiles["copy.sqlite"]!)).startsWith("SQLite format 3")).toBe(true);
  });

  it("an output file the SQL did not write is skipped with a warning, as Kestra does", async () => {
    const execution = await test.run(`id: no_output
namespace: company.jdbc
tasks:
  - id: q
    type: io.kestra.plugin.jdbc.duckdb.Query
    sql: select 1 as one
    fetchType: FETCH_ONE
    outputFiles: [missing.csv, "*.parquet"]
`);
    expect(execution.state.current).toBe("SUCCESS");
    expect(taskRun(execution, "q").outputs).toMatchObject({ row: { one: 1 }, outputFiles: {} });
    const warnings = warnLines(execution.id);
    expect(warnings).toContain("outputFiles: no file matches 'missing.csv' in the working directory");
    expect(warnings).toContain("outputFiles: no file matches '*.parquet' in the working directory");
  });

  it("an input file from another execution is refused: the task fails naming the URI", async () => {
    const other = await test.run(withStoredCsv("other", ""));
    const uri = (taskRun(other, "csv").outputs as { uri: string }).uri;
    const execution = await test.run(`id: steal
namespace: company.jdbc
tasks:
  - id: q
    type: io.kestra.plugin.jdbc.duckdb.Query
    inputFiles:
      data.csv: "${uri}"
    sql: SELECT * FROM read_csv_auto('{{ workingDir }}/data.csv')
`);
    expect(execution.state.current).toBe("FAILED");
    const errors = errorLines(test, execution.id).join("\n");
    expect(errors).toContain(uri);
    expect(errors).toMatch(/only files of this execution/i);
  });

  it("an input file name leaving the working directory is refused", async () => {
    const execution = await test.run(`id: escape
namespace: company.jdbc
tasks:
  - id: q
    type: io.kestra.plugin.jdbc.sqlite.Query
    url: "jdbc:sqlite::memory:"
    inputFiles:
      ../escape.csv: "x"
    sql: select 1
`);
    expect(execution.state.current).toBe("FAILED");
    expect(errorLines(test, execution.id).join("\n")).toContain(
      "File name '../escape.csv' leaves the working directory",
    );
  });

  it("a SQL error fails the task with the database's message", async () => {
    const execution = await test.run(`id: bad_sql
namespace: company.jdbc
tasks:
  - id: q
    type: io.kestra.plugin.jdbc.duckdb.Query
    inputFiles:
      data.csv: "a\\n1\\n"
    sql: SELECT nope FROM read_csv_auto('{{ workingDir }}/data.csv')
`);
    expect(execution.state.current).toBe("FAILED");
    expect(errorLines(test, execution.id).join("\n")).toMatch(/Binder Error.*nope/s);
  });
});
