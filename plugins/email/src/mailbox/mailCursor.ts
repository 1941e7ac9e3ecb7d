/**
 * What a mail trigger remembers between two checks, so that it reports every message once and
 * misses none: over IMAP the highest UID it handled in the folder (valid while the folder keeps
 * its UIDVALIDITY), over POP3 the unique ids (UIDL) of the messages of the mailbox it has seen.
 *
 * The cursor lives in the flow namespace's KV store, under one key per flow and trigger, with a
 * digest of the mailbox it belongs to: a trigger pointed at another server, port, user or folder
 * starts afresh. The digest is keyed with the password, so a new password starts afresh too.
 *
 * @module
 */
import { createHmac } from "node:crypto";
import type { KvStore, TriggerContext } from "@saker/sdk";
import type { Mailbox } from "./mailboxProperties.ts";

export type MailCursor =
  { protocol: "IMAP"; uidValidity: string; lastUid: number } | { protocol: "POP3"; seen: string[] };

interface Stored {
  mailbox: string;
  cursor: MailCursor;
}

export interface CursorStore {
  /** The cursor of this mailbox, when one was saved. */
  readonly cursor: MailCursor | undefined;
  /** Saves `next` (nothing is written when it did not change). */
  save(next: MailCursor): Promise<void>;
}

/**
 * The KV key of a trigger's cursor: `<flow>.<trigger>_mail_cursor`. A trigger id holds no `.` (a
 * flow id may), so the last `.` splits the key back into its flow and trigger: two triggers never
 * share a key (`orders_in` + `mail` and `orders` + `in_mail` do not meet, as they would with `_`).
 */
export function cursorKey(ctx: Pick<TriggerContext, "flow" | "trigger">): string {
  return `${ctx.flow.id}.${ctx.trigger.id}_mail_cursor`.replace(/[^a-zA-Z0-9._-]/g, "_");
}

/**
 * The mailbox a cursor is about, as an HMAC-SHA256 keyed with the password: the user name may be a
 * secret, and the KV store is readable by whoever sees the namespace; without the password, a
 * reader cannot test a guessed address against the digest. A new password gives another digest:
 * the cursor starts afresh (the first check's window).
 */
export function mailboxId(mailbox: Mailbox): string {
  const folder = mailbox.protocol === "IMAP" ? mailbox.folder : "";
  const parts = [mailbox.protocol, mailbox.username, mailbox.host.toLowerCase(), String(mailbox.port), folder];
  return `hmac-sha256:${createHmac("sha256", mailbox.password).update(JSON.stringify(parts)).digest("hex")}`;
}

function isCursor(value: unknown): value is MailCursor {
  const c = value as Partial<Record<string, unknown>> | null;
  if (!c || typeof c !== "object") return false;
  if (c.protocol === "IMAP") return typeof c.uidValidity === "string" && Number.isInteger(c.lastUid);
  return c.protocol === "POP3" && Array.isArray(c.seen) && c.seen.every((s) => typeof s === "string");
}

export async function loadCursor(kv: KvStore, key: string, mailbox: Mailbox): Promise<CursorStore> {
  const id = mailboxId(mailbox);
  const stored = (await kv.get(key))?.value as Partial<Stored> | undefined;
  let saved = stored?.mailbox === id && isCursor(stored.cursor) ? stored.cursor : undefined;
  return {
    get cursor() {
      return saved;
    },
    async save(next) {
      if (JSON.stringify(next) === JSON.stringify(saved)) return;
      await kv.set(key, { mailbox: id, cursor: next } satisfies Stored, { type: "JSON" });
      saved = next;
    },
  };
}
