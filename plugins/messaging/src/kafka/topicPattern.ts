import { userRegex } from "@saker/sdk/regex";

/** Kafka's own topics, which a pattern never selects (Java's `exclude.internal.topics`, on by default). */
const INTERNAL_TOPICS = new Set(["__consumer_offsets", "__transaction_state"]);

/**
 * A `topicPattern` as kafkajs takes one: it filters the cluster's topic names with a RegExp's
 * `test` when subscribing. This one answers on RE2 (linear time, whatever the pattern) and over
 * the whole name, as Java's consumer matches a subscribed `Pattern`, leaving Kafka's own topics out.
 */
export class TopicPattern extends RegExp {
  private readonly re2;
  /** The topics it selected when subscribing (every subscription so far). */
  readonly matched = new Set<string>();
  constructor(readonly pattern: string) {
    super("(?!)");
    this.re2 = userRegex(pattern);
  }

  /** Whether the pattern selects `topic`. */
  selects(topic: string): boolean {
    return !INTERNAL_TOPICS.has(topic) && this.re2.testExact(topic);
  }

  /** kafkajs' test when subscribing: the topics it selects are the ones subscribed to. */
  override test(topic: string): boolean {
    const selected = this.selects(topic);
    if (selected) this.matched.add(topic);
    return selected;
  }

  override toString(): string {
    return `topicPattern ${this.pattern}`;
  }
}
