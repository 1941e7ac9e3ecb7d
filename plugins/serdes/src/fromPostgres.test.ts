/**
 * The everyday chain: a PostgreSQL query stored as Ion (`fetchType: STORE`, the JDBC plugin's
 * writer) converted to CSV and JSON. Needs the local PostgreSQL (skipped with a message locally,
 * a failure with CI=true).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  coreRegistry,
  errorMessages,
  openTestInstance,
  outputsOf,
  storedText,
  type TestInstance,
} from "@saker/engine/testing";
import jdbc from "@saker/plugin-jdbc";
import { PG_URL, serviceAvailable } from "../../jdbc/test/support.ts";
import serdes from "./index.ts";

const up = await serviceAvailable("PostgreSQL", "127.0.0.1", 5432);

describe.skipIf(!up)("PostgreSQL STORE to CSV and JSON", () => {
  let test: TestInstance;
  beforeAll(async () => {
    const registry = coreRegistry();
    registry.addPlugin({ name: "@saker/plugin-jdbc", version: "1.0.0", core: false }, jdbc);
    registry.addPlugin({ name: "@saker/plugin-serdes", version: "1.0.0", core: false }, serdes);
    test = await openTestInstance({ registry });
  });
  afterAll(async () => {
    await test?.close();
  });

  it("converts every kind of column the JDBC plugin stores", async () => {
    const sql = `select n as id, 'row ' || n as label, n * 1.5::numeric as amount, n / 4.0::float8 as ratio,
      n % 2 = 0 as even, date '2024-01-01' + n as day, timestamp '2024-01-01 10:00:00' + n * interval '1 hour' as at,
      case when n = 2 then null else 'x,"y"' end as tricky
      from generate_series(1, 3) as n order by n`;
    const ex = await test.run(`id: pg_serdes
namespace: company.serdes
tasks:
  - id: query
    type: io.kestra.plugin.jdbc.postgresql.Query
    url: "${PG_URL}"
    sql: ${JSON.stringify(sql)}
    fetchType: STORE
  - id: csv
    type: io.kestra.plugin.serdes.csv.IonToCsv
    from: "{{ outputs.query.uri }}"
  - id: json
    type: io.kestra.plugin.serdes.json.IonToJson
    from: "{{ outputs.query.uri }}"
`);
    expect(ex.state.current, errorMessages(test, ex, "csv").join() + errorMessages(test, ex, "query").join()).toBe(
      "SUCCESS",
    );
    expect(await storedText(test, outputsOf(ex, "csv").uri as string)).toBe(
      [
        "id,label,amount,ratio,even,day,at,tricky",
        '1,row 1,1.5,0.25,false,2024-01-02,2024-01-01T11:00:00.000,"x,""y"""',
        "2,row 2,3.0,0.5,true,2024-01-03,2024-01-01T12:00:00.000,",
        '3,row 3,4.5,0.75,false,2024-01-04,2024-01-01T13:00:00.000,"x,""y"""',
        "",
      ].join("\n"),
    );
    const rows = (await storedText(test, outputsOf(ex, "json").uri as string))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(rows[1]).toEqual({
      id: 2,
      label: "row 2",
      amount: "3.0",
      ratio: 0.5,
      even: true,
      day: "2024-01-03",
      at: "2024-01-01T12:00:00",
      tricky: null,
    });
  });
});
