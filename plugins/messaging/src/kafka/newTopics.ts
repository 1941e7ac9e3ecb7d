/**
 * What a long-running consumer of a `topicPattern` needs to take on the topics created after it
 * started: kafkajs resolves a pattern only when subscribing, so the consumer looks for new topics
 * every `metadata.max.age.ms` (as Java's consumer refreshes its metadata), and subscribes again,
 * stopping and running anew. A new run starts each partition at the group's committed offset, so
 * before stopping the consumer commits where it is in each partition it is assigned:
 * {@link ResumePoints} keeps that.
 */
import type { Admin, Kafka } from "kafkajs";
import { errorMessage, type Logger } from "@saker/sdk";
import type { TopicPattern } from "./topicPattern.ts";

export interface Position {
  topic: string;
  partition: number;
  /** The next offset to read. */
  offset: string;
}

const keyOf = (topic: string, partition: number) => `${topic}:${partition}`;

/**
 * Where the consumer goes on from, for each partition it is assigned: past the last record it
 * handled; or at the first record it was handed while subscribing again (left for the next run);
 * or, for a partition without a committed offset that it joined at its end (`auto.offset.reset`
 * latest) and was handed nothing from since, that end as it was when it joined. Without the last,
 * a new run would start such a partition at its end again, past the records that came meanwhile.
 */
export class ResumePoints {
  private readonly points = new Map<string, Position>();
  private readonly joinedAtEnd = new Map<string, Position>();
  private assigned = new Set<string>();
  /** The look at the ends of the partitions of the last join, when it needs one. */
  private looking: Promise<void> = Promise.resolve();

  /** A record was handled (or skipped for good): the partition goes on after it. */
  handled(topic: string, partition: number, offset: string): void {
    this.points.set(keyOf(topic, partition), { topic, partition, offset: String(Number(offset) + 1) });
  }

  /** A record is left for after the new subscription: the partition goes on from it, unless from an earlier one. */
  deferred(topic: string, partition: number, offset: string): void {
    const key = keyOf(topic, partition);
    if (!this.points.has(key)) this.points.set(key, { topic, partition, offset });
  }

  /**
   * The group gave the consumer `assignment` (topic → partitions). Partitions it no longer has are
   * forgotten: their offsets are the new owner's to commit. With `atEnd`, the ends of the
   * partitions without a committed offset are looked up (in the background; {@link due} waits).
   */
  joined(assignment: Record<string, number[]>, atEnd?: () => Promise<Position[]>): void {
    this.assigned = new Set(Object.entries(assignment).flatMap(([topic, ps]) => ps.map((p) => keyOf(topic, p))));
    for (const key of [...this.points.keys()]) if (!this.assigned.has(key)) this.points.delete(key);
    this.joinedAtEnd.clear();
    if (atEnd)
      this.looking = atEnd().then((ends) => {
        for (const end of ends) this.joinedAtEnd.set(keyOf(end.topic, end.partition), end);
      });
  }

  /** The positions to commit before subscribing again: of the assigned partitions only. */
  async due(): Promise<Position[]> {
    await this.looking;
    const due: Position[] = [];
    for (const key of this.assigned) {
      const point = this.points.get(key) ?? this.joinedAtEnd.get(key);
      if (point) due.push(point);
    }
    return due;
  }
}

/**
 * The ends of the partitions in `assignment` that `groupId` has no committed offset for: where a
 * consumer joining with `auto.offset.reset` latest starts them.
 */
export async function uncommittedEnds(
  admin: Admin,
  groupId: string,
  assignment: Record<string, number[]>,
): Promise<Position[]> {
  const topics = Object.keys(assignment);
  if (!topics.length) return [];
  const committed = await admin.fetchOffsets({ groupId, topics });
  const ends: Position[] = [];
  for (const { topic, partitions } of committed) {
    const open = new Set(
      partitions.filter((p) => p.offset === "-1" && assignment[topic]?.includes(p.partition)).map((p) => p.partition),
    );
    if (!open.size) continue;
    for (const { partition, high } of await admin.fetchTopicOffsets(topic))
      if (open.has(partition)) ends.push({ topic, partition, offset: high });
  }
  return ends;
}

/** The shortest time between two looks for new topics, whatever `metadata.max.age.ms` says. */
const MIN_TOPIC_REFRESH_MS = 1_000;

/** An admin client connected on first use (again after a failed connection). */
export function lazyAdmin(kafka: Kafka): { get(): Promise<Admin>; close(): Promise<void> } {
  const admin = kafka.admin();
  let connected: Promise<void> | undefined;
  return {
    async get() {
      connected ??= admin.connect().catch((error: unknown) => {
        connected = undefined;
        throw error;
      });
      await connected;
      return admin;
    },
    async close() {
      if (connected) await admin.disconnect().catch(() => undefined);
    },
  };
}

/**
 * Every `everyMs` (at least a second), the cluster's topics that `pattern` selects and the
 * consumer has not subscribed to, handed to `onNew`; one look at a time, the next one scheduled
 * after it. A failed look is logged and tried again at the next. Returns the function that stops
 * looking (after the look under way).
 */
export function watchNewTopics(
  admin: { get(): Promise<Admin> },
  pattern: TopicPattern,
  everyMs: number,
  logger: Logger,
  onNew: (topics: string[]) => Promise<void>,
): () => Promise<void> {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let looking: Promise<void> = Promise.resolve();
  const look = async () => {
    try {
      const added = (await (await admin.get()).listTopics()).filter(
        (topic) => !pattern.matched.has(topic) && pattern.selects(topic),
      );
      if (added.length && !stopped) await onNew(added.sort());
    } catch (error) {
      logger.warn("Looking for new topics matching topicPattern '{}' failed: {}", pattern.pattern, errorMessage(error));
    }
  };
  const schedule = () => {
    timer = setTimeout(
      () => {
        looking = look().finally(() => {
          if (!stopped) schedule();
        });
      },
      Math.max(MIN_TOPIC_REFRESH_MS, everyMs),
    );
  };
  schedule();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await looking;
  };
}
