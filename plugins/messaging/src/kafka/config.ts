/**
 * Kestra's Kafka `properties` (the Java client's settings, `bootstrap.servers`…) mapped onto the
 * kafkajs client: the connection (brokers, TLS, SASL, timeouts) and the consumer settings Kestra
 * flows use (`group.id`, `auto.offset.reset`, `isolation.level`…). Settings kafkajs has no
 * equivalent for are listed so the task can say they were ignored; Java key stores cannot be read.
 */
import { NonRetryableError } from "@saker/sdk";
import type { KafkaConfig, SASLOptions } from "kafkajs";

export interface KafkaSettings {
  client: KafkaConfig;
  groupId?: string;
  /** `auto.offset.reset=earliest`: a new group starts at the beginning of the topics. */
  fromBeginning: boolean;
  readUncommitted: boolean;
  sessionTimeout?: number;
  /**
   * `metadata.max.age.ms`: how often the client refreshes the cluster's metadata, and a
   * `topicPattern` subscription looks for topics created since (5 minutes by default, as Java's).
   */
  metadataMaxAge: number;
  /** Properties given that have no effect here. */
  ignored: string[];
}

const HANDLED = new Set([
  "bootstrap.servers",
  "client.id",
  "group.id",
  "auto.offset.reset",
  "isolation.level",
  "security.protocol",
  "sasl.mechanism",
  "sasl.jaas.config",
  "request.timeout.ms",
  "socket.connection.setup.timeout.ms",
  "session.timeout.ms",
  "metadata.max.age.ms",
  "retries",
  "enable.auto.commit",
  "key.serializer",
  "value.serializer",
  "key.deserializer",
  "value.deserializer",
]);

const JAVA_STORES = ["ssl.keystore.location", "ssl.truststore.location", "ssl.keystore.type", "ssl.truststore.type"];

/** Java's default `metadata.max.age.ms`. */
const DEFAULT_METADATA_MAX_AGE_MS = 300_000;

/** Fails fast on an unreachable cluster instead of retrying for minutes. */
const DEFAULT_RETRY = { retries: 3, initialRetryTime: 300, maxRetryTime: 3_000 };

export function kafkaSettings(properties: Readonly<Record<string, string>>, clientId = "saker"): KafkaSettings {
  const servers = properties["bootstrap.servers"];
  if (!servers || servers.trim() === "")
    throw new NonRetryableError(
      "properties must set bootstrap.servers (host:port of the Kafka brokers, comma-separated)",
    );
  const brokers = servers
    .split(",")
    .map((s) => s.trim().replace(/^[A-Z_]+:\/\//i, ""))
    .filter(Boolean);
  const stores = JAVA_STORES.filter((k) => properties[k] !== undefined);
  if (stores.length > 0)
    throw new NonRetryableError(
      `${stores.join(", ")}: Java key stores are not supported by Saker's Kafka plugin; use security.protocol SSL with the broker's CA trusted by the system, or SASL_SSL`,
    );
  const protocol = (properties["security.protocol"] ?? "PLAINTEXT").toUpperCase();
  if (!["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"].includes(protocol))
    throw new NonRetryableError(
      `security.protocol must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, got '${protocol}'`,
    );
  const client: KafkaConfig = {
    brokers,
    clientId: properties["client.id"] ?? clientId,
    ssl: protocol === "SSL" || protocol === "SASL_SSL",
    retry: { ...DEFAULT_RETRY, ...(properties.retries ? { retries: intOf(properties, "retries") } : {}) },
  };
  if (protocol.startsWith("SASL_")) client.sasl = sasl(properties);
  if (properties["request.timeout.ms"]) client.requestTimeout = intOf(properties, "request.timeout.ms");
  if (properties["socket.connection.setup.timeout.ms"])
    client.connectionTimeout = intOf(properties, "socket.connection.setup.timeout.ms");
  const reset = (properties["auto.offset.reset"] ?? "latest").toLowerCase();
  if (!["earliest", "latest", "none"].includes(reset))
    throw new NonRetryableError(`auto.offset.reset must be earliest, latest or none, got '${reset}'`);
  return {
    client,
    ...(properties["group.id"] ? { groupId: properties["group.id"] } : {}),
    fromBeginning: reset === "earliest",
    readUncommitted: (properties["isolation.level"] ?? "read_committed").toLowerCase() === "read_uncommitted",
    ...(properties["session.timeout.ms"] ? { sessionTimeout: intOf(properties, "session.timeout.ms") } : {}),
    metadataMaxAge: properties["metadata.max.age.ms"]
      ? intOf(properties, "metadata.max.age.ms")
      : DEFAULT_METADATA_MAX_AGE_MS,
    ignored: Object.keys(properties).filter((k) => !HANDLED.has(k)),
  };
}

function intOf(properties: Readonly<Record<string, string>>, key: string): number {
  const n = Number(properties[key]);
  if (!Number.isInteger(n) || n < 0)
    throw new NonRetryableError(`properties.${key} must be a whole number, got '${properties[key]}'`);
  return n;
}

/** `sasl.mechanism` and the user and password of `sasl.jaas.config` (`… username="u" password="p";`). */
function sasl(properties: Readonly<Record<string, string>>): SASLOptions {
  const mechanism = (properties["sasl.mechanism"] ?? "PLAIN").toUpperCase();
  const jaas = properties["sasl.jaas.config"] ?? "";
  const field = (name: string) => new RegExp(`${name}\\s*=\\s*"([^"]*)"`).exec(jaas)?.[1];
  const username = field("username");
  const password = field("password");
  if (username === undefined || password === undefined)
    throw new NonRetryableError('sasl.jaas.config must give username="…" and password="…" for SASL');
  switch (mechanism) {
    case "PLAIN":
      return { mechanism: "plain", username, password };
    case "SCRAM-SHA-256":
      return { mechanism: "scram-sha-256", username, password };
    case "SCRAM-SHA-512":
      return { mechanism: "scram-sha-512", username, password };
    default:
      throw new NonRetryableError(
        `sasl.mechanism ${mechanism} is not supported: use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512`,
      );
  }
}
