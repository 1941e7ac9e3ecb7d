import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DatabaseDamagedError, openDatabase } from "./database.ts";

const dir = mkdtempSync(join(tmpdir(), "saker-db-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("openDatabase", () => {
  it("creates a missing file, and opens it again as it is", () => {
    const file = join(dir, "new", "saker.db");
    const db = openDatabase(file);
    db.prepare(
      "INSERT INTO kv (tenant_id, namespace, key, value, type, update_date) VALUES ('main', 'ns', 'k', '1', 'NUMBER', 'now')",
    ).run();
    db.close();
    const again = openDatabase(file);
    expect(again.prepare("SELECT COUNT(*) AS n FROM kv").get()).toEqual({ n: 1 });
    again.close();
  });

  it("refuses garbage and an empty file, naming the file and how to start fresh", () => {
    const garbage = join(dir, "garbage.db");
    writeFileSync(garbage, randomBytes(8192));
    expect(() => openDatabase(garbage)).toThrow(DatabaseDamagedError);
    expect(() => openDatabase(garbage)).toThrow(`The database file '${garbage}' is damaged`);
    const empty = join(dir, "empty.db");
    writeFileSync(empty, "");
    expect(() => openDatabase(empty)).toThrow(
      /is damaged \(the file is empty: 0 bytes\)\. Start with --reset-database/,
    );
    expect(readFileSync(empty).length).toBe(0);
  });

  it("refuses a database whose pages were overwritten", () => {
    const file = join(dir, "torn.db");
    const db = openDatabase(file);
    const insert = db.prepare(
      "INSERT INTO logs (tenant_id, namespace, flow_id, level, level_rank, message, timestamp) VALUES ('main', 'ns', 'f', 'INFO', 2, ?, 'now')",
    );
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run(`message ${i} ${"x".repeat(200)}`);
    })();
    db.close();
    const bytes = readFileSync(file);
    randomBytes(bytes.length - 8192).copy(bytes, 8192);
    writeFileSync(file, bytes);
    expect(() => openDatabase(file)).toThrow(DatabaseDamagedError);
  });

  it("with reset, moves a damaged file aside and starts empty", () => {
    const sub = mkdtempSync(join(dir, "reset-"));
    const file = join(sub, "saker.db");
    const garbage = randomBytes(4096);
    writeFileSync(file, garbage);
    let movedTo = "";
    const db = openDatabase(file, { reset: true, onReset: (to) => (movedTo = to) });
    expect(db.prepare("SELECT COUNT(*) AS n FROM executions").get()).toEqual({ n: 0 });
    db.close();
    expect(existsSync(movedTo)).toBe(true);
    expect(readFileSync(movedTo).equals(garbage)).toBe(true);
    expect(readdirSync(sub).filter((f) => f.startsWith("saker.db.damaged-"))).toHaveLength(1);
  });
});
