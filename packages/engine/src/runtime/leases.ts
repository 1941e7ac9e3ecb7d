/**
 * How long a queue claim holds before a reaper may give its message to someone else, and how
 * often this process renews the leases of what it still handles. A lease is renewed three times
 * per period, so a lapse needs the event loop blocked for a whole period; and the reaper of this
 * process renews its own leases before it frees anything, so it never takes back its own work.
 */
export const LEASE_MS = 60_000;
export const RENEW_EVERY_MS = LEASE_MS / 3;
