/**
 * This process as a member of a cluster on PostgreSQL: it looks for dead processes every
 * `server.liveness.interval` (backend/postgres/liveness.ts) and wakes the roles that may take
 * their freed work, and it leads the scheduler's clock when no other scheduler does.
 */
import { parseDuration } from "@saker/sdk";
import { NOTIFY } from "../backend/notifier.ts";
import type { Topic } from "../backend/queue.ts";
import { Leadership } from "../backend/postgres/leadership.ts";
import { checkLiveness, type LivenessSettings } from "../backend/postgres/liveness.ts";
import { connectionConfig, type PostgresBackend } from "../backend/postgres/postgresBackend.ts";
import type { RoleContext } from "./roleContext.ts";
import type { SchedulerService } from "./schedulerService.ts";

/** The advisory lock of the scheduler's clock. */
const SCHEDULER_LOCK = "saker_scheduler_clock";

export function livenessSettings(config: RoleContext["config"]): LivenessSettings {
  const { liveness, workerTaskRestartStrategy, terminationGracePeriod } = config.server;
  return {
    intervalMs: parseDuration(liveness.interval),
    timeoutMs: parseDuration(liveness.timeout),
    initialDelayMs: parseDuration(liveness.initialDelay),
    restartStrategy: workerTaskRestartStrategy,
    terminationGracePeriodMs: parseDuration(terminationGracePeriod),
  };
}

export class ClusterMember {
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  private leadership: Leadership | undefined;
  private readonly settings: LivenessSettings;

  constructor(
    private readonly ctx: RoleContext,
    private readonly backend: PostgresBackend,
    private readonly scheduler: SchedulerService,
    private readonly options: { liveness: boolean; scheduler: boolean },
  ) {
    this.settings = livenessSettings(ctx.config);
  }

  start(): void {
    if (this.options.scheduler && !this.leadership) {
      const leadership = new Leadership(
        connectionConfig(this.ctx.config.database.url!, this.backend.schema),
        SCHEDULER_LOCK,
        (error) => this.ctx.report.internalError("the scheduler's leadership connection", error),
      );
      this.leadership = leadership;
      this.scheduler.leader = () => leadership.lead();
    }
    if (this.options.liveness && !this.timer) {
      // the first check after the initial delay, then one per interval after each check ends
      const checkAfter = (ms: number) => {
        this.timer = setTimeout(() => {
          this.checking = this.check().finally(() => {
            this.checking = undefined;
            if (this.timer) checkAfter(this.settings.intervalMs);
          });
        }, ms);
        this.timer.unref();
      };
      checkAfter(this.settings.initialDelayMs);
    }
  }

  /** One liveness check; the roles of this process hear of the work it freed. */
  async check(now = Date.now()): Promise<void> {
    if (this.backend.declaredDead) return;
    try {
      const report = await checkLiveness(this.backend.pool, this.settings, now);
      for (const owner of report.disconnected)
        process.stderr.write(`saker: process ${owner} stopped beating: declared dead (DISCONNECTED)\n`);
      const topics = Object.entries(report.freed)
        .filter(([, n]) => n > 0)
        .map(([topic]) => topic as Topic);
      if (report.failed > 0 || report.fellBack > 0) topics.push("executor");
      for (const topic of new Set(topics)) this.backend.notifier.notify(NOTIFY.queue(topic));
    } catch (error) {
      this.ctx.report.loopError("checking the liveness of the cluster", error);
    }
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.checking;
    this.scheduler.leader = undefined;
    await this.leadership?.close();
    this.leadership = undefined;
  }
}
