/**
 * One process per data folder: the embedded SQLite backend is not shared between processes.
 * The lock is a file holding the owner's pid; a lock left by a dead process is taken over, which
 * also tells that this process died abruptly (a graceful stop removes its lock).
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { SakerError } from "@saker/sdk";
import { processAlive } from "../backend/processAlive.ts";
import { asDiskFull } from "../storage/diskFull.ts";

export interface HomeLock {
  release(): void;
  /** The previous owner died holding the lock: it stopped abruptly (killed, crashed, power loss). */
  previousStoppedAbruptly: boolean;
}

export function lockHome(home: string): HomeLock {
  mkdirSync(home, { recursive: true });
  const file = join(home, "saker.lock");
  let stale = false;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx");
      try {
        writeSync(fd, String(process.pid));
      } catch (error) {
        // e.g. a full disk: no half-written lock is left to look like a crashed owner
        rmSync(file, { force: true });
        throw asDiskFull(error, home, "writing the lock file");
      } finally {
        closeSync(fd);
      }
      return { release: () => rmSync(file, { force: true }), previousStoppedAbruptly: stale };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw asDiskFull(error, home, "writing the lock file");
      const pid = Number(readFileSync(file, "utf8").trim());
      if (pid && pid !== process.pid && processAlive(pid)) {
        throw new SakerError(
          "HOME_LOCKED",
          `Another Saker process (pid ${pid}) is using '${home}'; stop it, or use another folder with --home or SAKER_HOME`,
        );
      }
      rmSync(file, { force: true });
      stale = true;
    }
  }
  throw new SakerError("HOME_LOCKED", `Unable to lock '${home}'`);
}
