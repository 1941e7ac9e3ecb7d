/**
 * Where a trigger's cursor is kept: a KV key of its own for each flow and trigger, and a digest of
 * the mailbox that whoever reads the KV store cannot test a guessed user name against.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { KvEntry, KvStore } from "@saker/sdk";
import { cursorKey, loadCursor, mailboxId } from "./mailCursor.ts";
import type { Mailbox } from "./mailboxProperties.ts";

/** The KV key syntax (packages/engine/src/worker/kvStore.ts). */
const KV_KEY = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;

const key = (flow: string, trigger: string) => cursorKey({ flow: { id: flow }, trigger: { id: trigger } } as never);

const mailbox: Mailbox = {
  protocol: "IMAP",
  host: "imap.example.com",
  port: 993,
  username: "someone@example.com",
  password: "Secret-pw-1",
  folder: "INBOX",
  ssl: true,
  trustAllCertificates: false,
  intervalMs: 60_000,
  where: { flow: "company.mail/orders", triggerId: "mail" },
};

function memoryKv(): KvStore & { entries: Map<string, KvEntry> } {
  const entries = new Map<string, KvEntry>();
  return {
    entries,
    namespace: "company.mail",
    get: async (k) => entries.get(k),
    set: async (k, value) => void entries.set(k, { key: k, value } as KvEntry),
    delete: async (k) => entries.delete(k),
    list: async () => [...entries.values()],
  };
}

describe("cursorKey", () => {
  it("gives two flow and trigger pairs that read alike different keys", () => {
    expect(key("orders_in", "mail")).toBe("orders_in.mail_mail_cursor");
    expect(key("orders", "in_mail")).toBe("orders.in_mail_mail_cursor");
    // a flow id may hold dots, a trigger id may not: the last dot still splits them
    expect(key("orders.in", "mail")).not.toBe(key("orders", "in_mail"));
    for (const k of [key("orders_in", "mail"), key("a.b-c", "T_1")]) expect(k).toMatch(KV_KEY);
  });
});

describe("mailboxId", () => {
  it("is an HMAC keyed with the password: not the plain digest of the mailbox, and another for another password", () => {
    const id = mailboxId(mailbox);
    const parts = JSON.stringify(["IMAP", mailbox.username, "imap.example.com", "993", "INBOX"]);
    expect(id).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(id).not.toContain(createHash("sha256").update(parts).digest("hex"));
    expect(id).not.toContain(mailbox.username);
    expect(mailboxId({ ...mailbox, password: "Other-pw-2" })).not.toBe(id);
    expect(mailboxId({ ...mailbox })).toBe(id);
  });

  it("a cursor saved under another password is not used: the trigger starts afresh", async () => {
    const kv = memoryKv();
    const store = await loadCursor(kv, "k", mailbox);
    await store.save({ protocol: "IMAP", uidValidity: "1", lastUid: 7 });
    expect(JSON.stringify([...kv.entries.values()])).not.toContain(mailbox.password);
    expect((await loadCursor(kv, "k", mailbox)).cursor).toEqual({ protocol: "IMAP", uidValidity: "1", lastUid: 7 });
    expect((await loadCursor(kv, "k", { ...mailbox, password: "Other-pw-2" })).cursor).toBeUndefined();
  });
});
