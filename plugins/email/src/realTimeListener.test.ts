/**
 * RealTimeTrigger's listener on its own (no instance, so that this process's sockets and timers
 * are the listener's only), against the machine's real Dovecot: stopped while it idles (IMAP) or
 * sleeps (POP3) it returns at once, its connection already closed, leaving no socket nor timer
 * behind; a connection the server drops ends it with an error saying so, for the engine to start
 * it again.
 */
import { describe, expect, it } from "vitest";
import { eventually } from "@saker/engine/testing";
import { dovecotAvailable, useDovecot } from "../test/dovecot.ts";
import { NAMESPACE, compose, triggerContext, userOf } from "../test/mailboxes.ts";
import { RealTimeTrigger } from "./realTimeTrigger.ts";

const available = dovecotAvailable();

/** The sockets and timers this process holds. */
function handles(): string[] {
  return process
    .getActiveResourcesInfo()
    .filter((r) => ["TCPSocketWrap", "TLSWrap", "Timeout"].includes(r))
    .sort();
}

describe.skipIf(!available)("RealTimeTrigger's listener", () => {
  const dovecot = useDovecot(["IMAP", "POP3", "lost"].map(userOf));

  const listen = (protocol: "IMAP" | "POP3", user: string, signal: AbortSignal, got: string[]) => {
    const props = RealTimeTrigger.properties.parse({
      protocol,
      host: "127.0.0.1",
      port: protocol === "IMAP" ? dovecot.ports.imaps : dovecot.ports.pop3s,
      username: user,
      password: dovecot.password,
      trustAllCertificates: true,
      interval: "PT30S",
    });
    return RealTimeTrigger.listen!(props, triggerContext(signal), async (event) => {
      got.push(String(event.variables.subject));
    });
  };

  it.each(["IMAP", "POP3"] as const)(
    "%s: returns as soon as it is stopped, and leaves no socket nor timer behind",
    async (protocol) => {
      const user = userOf(protocol);
      // what starting Dovecot left (its port probes) is gone
      await new Promise((resolve) => setTimeout(resolve, 200));
      const before = handles();
      const controller = new AbortController();
      const got: string[] = [];
      const listening = listen(protocol, user, controller.signal, got);
      if (protocol === "IMAP") {
        // connected and idling: a message is announced and reported
        await eventually(() => (dovecot.idling(user).length ? true : undefined));
        dovecot.deliver(user, await compose({ from: "a@example.com", subject: "while idling" }));
        await eventually(() => (got.length ? true : undefined), 5000);
        expect(got).toEqual(["while idling"]);
      } else {
        // the first check is over: it sleeps for 30 s
        await eventually(() => (dovecot.log().includes(`pop3(${user})`) ? true : undefined));
        await dovecot.idle(user);
      }
      const stopping = Date.now();
      controller.abort();
      await listening;
      expect(Date.now() - stopping).toBeLessThan(1000);
      // closed by the time listen() returns: no LOGOUT in flight, no socket nor fallback timer left
      expect(handles()).toEqual(before);
      await dovecot.idle(user);
      expect(handles()).toEqual(before);
    },
  );

  it("IMAP: a connection the server drops ends the listener with an error saying so", async () => {
    const user = userOf("lost");
    const controller = new AbortController();
    const listening = listen("IMAP", user, controller.signal, []);
    const [session] = await eventually(() => {
      const found = dovecot.idling(user);
      return found.length ? found : undefined;
    });
    process.kill(session!, "SIGKILL");
    await expect(listening).rejects.toThrow(
      `Flow '${NAMESPACE}/direct', task 'watch', host: the connection to IMAP server 127.0.0.1:${dovecot.ports.imaps} was lost`,
    );
    controller.abort();
  });
});
