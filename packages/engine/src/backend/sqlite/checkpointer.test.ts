import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { checkpointerOf, openDatabase, type SqliteDatabase } from "./database.ts";

const dir = mkdtempSync(join(tmpdir(), "saker-checkpoint-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const message = "x".repeat(1000);

/** `transactions` transactions of 10 log lines of 1 kB (3 to 4 pages each). */
function write(db: SqliteDatabase, transactions: number, from = 0): void {
  const insert = db.prepare(
    "INSERT INTO logs (tenant_id, namespace, flow_id, execution_id, level, level_rank, message, timestamp) VALUES ('main', 'ns', 'f', ?, 'INFO', 2, ?, '2026-01-01T00:00:00Z')",
  );
  for (let t = from; t < from + transactions; t++)
    db.transaction(() => {
      for (let i = 0; i < 10; i++) insert.run(`e${t}`, message);
    })();
}

const count = (db: SqliteDatabase) => (db.prepare("SELECT COUNT(*) AS n FROM logs").get() as { n: number }).n;

describe("the checkpoint thread", () => {
  it("checkpoints the WAL into the database file off the connection's commits", async () => {
    const file = join(dir, "thread.db");
    // a limit no test reaches: only the thread checkpoints
    const db = openDatabase(file, { checkpointThread: { limitPages: 1_000_000, intervalMs: 10 } });
    const checkpointer = checkpointerOf(db)!;
    expect(checkpointer.running).toBe(false);
    const before = statSync(file).size;
    write(db, 200);
    checkpointer.start();
    expect(checkpointer.running).toBe(true);
    // the thread copies the WAL's pages into the file
    await vi.waitFor(() => expect(statSync(file).size).toBeGreaterThan(before + 1_000_000), { timeout: 20_000 });
    write(db, 200, 200);
    expect(count(db)).toBe(4000);
    db.close();
    await checkpointer.exited;
    expect(checkpointer.running).toBe(false);
    // the connection closed last: it checkpointed everything and removed the WAL
    expect(existsSync(`${file}-wal`)).toBe(false);
    const again = openDatabase(file);
    expect(count(again)).toBe(4000);
    again.close();
  });

  it("keeps the WAL bounded however much is written, the thread running or not", async () => {
    for (const start of [false, true]) {
      const file = join(dir, `bounded-${start}.db`);
      const db = openDatabase(file, { checkpointThread: { limitPages: 200, intervalMs: 5 } });
      const checkpointer = checkpointerOf(db)!;
      const pageSize = db.pragma("page_size", { simple: true }) as number;
      if (start) checkpointer.start();
      let largest = 0;
      for (let round = 0; round < 12; round++) {
        write(db, 100, round * 100);
        largest = Math.max(largest, checkpointer.walBytes());
      }
      expect(count(db)).toBe(12_000);
      // 12 MB written: the WAL passes its limit (0.8 MB) at most by what is written while the
      // thread finishes a checkpoint
      expect(largest).toBeLessThan(6_000_000);
      if (!start) expect(largest).toBeLessThan((200 + 10) * (pageSize + 24) + 32);
      // once the writes stop, the WAL starts over and the file is cut back to the limit
      await vi.waitFor(
        () => {
          write(db, 1, 10_000);
          expect(checkpointer.walBytes()).toBeLessThanOrEqual(200 * pageSize);
        },
        { timeout: 20_000 },
      );
      db.close();
      await checkpointer.exited;
      expect(existsSync(`${file}-wal`)).toBe(false);
    }
  });

  it("closes while the thread is still starting, leaving no thread and no WAL", async () => {
    const file = join(dir, "starting.db");
    const db = openDatabase(file);
    write(db, 20);
    const checkpointer = checkpointerOf(db)!;
    checkpointer.start();
    db.close();
    expect(checkpointer.running).toBe(false);
    await checkpointer.exited;
    expect(existsSync(`${file}-wal`)).toBe(false);
    const again = openDatabase(file);
    expect(count(again)).toBe(200);
    again.close();
  });

  it("gives the checkpoints back to the connection when the thread dies", async () => {
    const file = join(dir, "dies.db");
    const fallbacks: string[] = [];
    const db = openDatabase(file, { checkpointThread: { onFallback: (why) => fallbacks.push(why) } });
    expect(db.pragma("wal_autocheckpoint", { simple: true })).toBe(4096);
    const checkpointer = checkpointerOf(db)!;
    checkpointer.start();
    await (checkpointer as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await checkpointer.exited;
    expect(checkpointer.running).toBe(false);
    expect(fallbacks).toHaveLength(1);
    expect(db.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
    checkpointer.start();
    expect(checkpointer.running).toBe(false);
    write(db, 10);
    db.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it("is not started for a database in memory, nor when turned off", () => {
    const memory = openDatabase(":memory:");
    expect(checkpointerOf(memory)).toBeUndefined();
    memory.close();
    const off = openDatabase(join(dir, "off.db"), { checkpointThread: false });
    expect(checkpointerOf(off)).toBeUndefined();
    expect(off.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
    off.close();
  });
});
