/**
 * Whether the server answers: "online", "away" (a request got no answer; /health is polled every
 * two seconds until it does) or "signin" (an API call answered 401). Pages reload their data when
 * the server comes back (`epoch` grows).
 */
import { useSyncExternalStore } from "react";

export type ConnectionState = "online" | "away" | "signin";

interface Snapshot {
  state: ConnectionState;
  /** Grows each time the server comes back, and after a sign-in. */
  epoch: number;
}

let snapshot: Snapshot = { state: "online", epoch: 0 };
const listeners = new Set<() => void>();
let polling: ReturnType<typeof setTimeout> | undefined;

function set(state: ConnectionState, bump = false): void {
  if (state === snapshot.state && !bump) return;
  snapshot = { state, epoch: snapshot.epoch + (bump ? 1 : 0) };
  for (const l of listeners) l();
}

async function poll(): Promise<void> {
  polling = undefined;
  const up = await fetch("/health", { cache: "no-store" }).then(
    (r) => r.ok,
    () => false,
  );
  if (up) set("online", true);
  else polling = setTimeout(poll, 2000);
}

export const connection = {
  lost(): void {
    if (snapshot.state === "away") return;
    set("away");
    polling ??= setTimeout(poll, 1000);
  },
  unauthorized(): void {
    set("signin");
  },
  signedIn(): void {
    set("online", true);
  },
};

export function useConnection(): Snapshot {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => snapshot,
  );
}
