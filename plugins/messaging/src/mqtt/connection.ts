/**
 * How the MQTT types reach a broker: Kestra's `server` (`tcp://host:1883`, `ssl://host:8883`),
 * `mqttVersion` (V3 is MQTT 3.1.1, V5 is MQTT 5), `clientId`, credentials and TLS settings. A
 * connection attempt is bounded by `connectionTimeout` and the task's signal, never retried
 * behind the task's back, and its errors name the broker without credentials.
 */
import { readFile } from "node:fs/promises";
import type { IClientOptions, IPublishPacket, MqttClient } from "mqtt";
import { NonRetryableError, TaskError, duration, z, type TaskStorage } from "@saker/sdk";
import { describeError, redactUrls } from "../core/redactText.ts";

export const mqttConnectionShape = {
  server: z.string().min(1).describe("The broker address: `tcp://host:1883` or `ssl://host:8883`."),
  mqttVersion: z.enum(["V3", "V5"]).default("V5").describe("The MQTT version: V3 (3.1.1) or V5."),
  clientId: z.string().optional().describe("A client identifier unique on the broker (generated when absent)."),
  connectionTimeout: duration().optional().describe("How long to wait for the connection (default 30 s)."),
  httpsHostnameVerificationEnabled: z
    .boolean()
    .optional()
    .describe("`false`: accept a certificate for another host name."),
  authMethod: z.string().optional().describe("MQTT 5 only: the extended authentication method."),
  username: z.string().optional().describe("The user name."),
  password: z.string().optional().describe("The password."),
  crt: z.string().optional().describe("CA certificate for `ssl://`: PEM content, a kestra:// URI or a file path."),
};

export interface MqttConnectionProps {
  server: string;
  mqttVersion: "V3" | "V5";
  clientId?: string | undefined;
  connectionTimeout?: number | undefined;
  httpsHostnameVerificationEnabled?: boolean | undefined;
  authMethod?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
  crt?: string | undefined;
}

export interface MqttSessionOptions {
  /** Keep the session (subscriptions, unacknowledged messages) across connections. */
  persistent?: boolean;
  /** Called for every message before it is acknowledged: the acknowledgement waits for it. */
  onMessage?: (packet: IPublishPacket) => Promise<void>;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
const CLOSE_TIMEOUT_MS = 2_000;
/** MQTT 5: how long the broker keeps a persistent session while nobody is connected (one week). */
const SESSION_EXPIRY_S = 7 * 24 * 3600;

const SCHEMES = new Set(["tcp:", "ssl:", "mqtt:", "mqtts:", "ws:", "wss:"]);

/** The server URL checked, and shown without credentials. */
export function serverUrl(server: string): URL {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new NonRetryableError(`server must be a URI such as tcp://localhost:1883, got '${redactUrls(server)}'`);
  }
  if (!SCHEMES.has(url.protocol))
    throw new NonRetryableError(
      `server must start with tcp:// or ssl:// (or mqtt://, mqtts://, ws://, wss://), got ${url.protocol}//`,
    );
  return url;
}

export function brokerName(server: string): string {
  const url = new URL(server);
  const secure = url.protocol === "ssl:" || url.protocol === "mqtts:" || url.protocol === "wss:";
  return `${url.hostname}:${url.port || (secure ? 8883 : 1883)}`;
}

/** The client options a connection uses (no reconnection: a lost connection is the caller's to report). */
export async function clientOptions(
  props: MqttConnectionProps,
  session: MqttSessionOptions,
  storage: Pick<TaskStorage, "readFile">,
): Promise<IClientOptions> {
  const url = serverUrl(props.server);
  const v5 = props.mqttVersion === "V5";
  const options: IClientOptions = {
    protocolVersion: v5 ? 5 : 4,
    clientId: props.clientId ?? `saker-${Math.random().toString(16).slice(2, 14)}`,
    clean: !session.persistent,
    reconnectPeriod: 0,
    connectTimeout: props.connectionTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS,
    manualConnect: true,
  };
  if (url.username && props.username === undefined) options.username = decodeURIComponent(url.username);
  if (url.password && props.password === undefined) options.password = decodeURIComponent(url.password);
  if (props.username !== undefined) options.username = props.username;
  if (props.password !== undefined) options.password = props.password;
  if (v5) {
    options.properties = {
      ...(session.persistent ? { sessionExpiryInterval: SESSION_EXPIRY_S } : {}),
      ...(props.authMethod ? { authenticationMethod: props.authMethod } : {}),
    };
  }
  if (props.crt) options.ca = await certificate(props.crt, storage);
  if (props.httpsHostnameVerificationEnabled === false)
    (options as { checkServerIdentity?: () => undefined }).checkServerIdentity = () => undefined;
  return options;
}

async function certificate(crt: string, storage: Pick<TaskStorage, "readFile">): Promise<Buffer | string> {
  if (crt.includes("-----BEGIN")) return crt;
  try {
    return crt.startsWith("kestra://") ? await storage.readFile(crt) : await readFile(crt);
  } catch (error) {
    throw new NonRetryableError(`crt: cannot read the certificate '${crt}': ${describeError(error)}`);
  }
}

/**
 * Connects, resolving once the broker accepted the session. Messages are handed to
 * `session.onMessage` before any is acknowledged (QoS 1 and 2: the PUBACK waits for it).
 */
export async function openMqtt(
  props: MqttConnectionProps,
  session: MqttSessionOptions,
  signal: AbortSignal,
  storage: Pick<TaskStorage, "readFile">,
): Promise<MqttClient> {
  const options = await clientOptions(props, session, storage);
  const where = brokerName(props.server);
  signal.throwIfAborted();
  const url = serverUrl(props.server);
  url.username = "";
  url.password = "";
  const { connect } = await import("mqtt");
  const client = connect(url.toString(), options);
  if (session.onMessage) {
    const handle = session.onMessage;
    client.handleMessage = (packet, done) => {
      handle(packet).then(
        () => done(),
        // Without `done` nothing is acknowledged: the broker delivers the message again.
        () => undefined,
      );
    };
  }
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        finish(
          new TaskError(
            `Cannot connect to the MQTT broker at ${where}: no answer within ${options.connectTimeout! / 1000} s`,
          ),
        ),
      options.connectTimeout,
    );
    const onAbort = () => finish(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
    const onError = (error: Error) => finish(connectError(error, where));
    const onClose = () => finish(new TaskError(`Cannot connect to the MQTT broker at ${where}: the connection closed`));
    function finish(error?: Error) {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      client.off("error", onError);
      client.off("close", onClose);
      client.off("connect", onConnect);
      if (!error) return resolve();
      client.end(true);
      reject(error);
    }
    const onConnect = () => finish();
    signal.addEventListener("abort", onAbort, { once: true });
    client.on("error", onError);
    client.on("close", onClose);
    client.on("connect", onConnect);
    client.connect();
  });
  // Later errors end the client; callers watch 'close'. An 'error' without a listener would crash.
  client.on("error", () => undefined);
  return client;
}

function connectError(error: Error, where: string): Error {
  const text = describeError(error);
  if (/not authori[sz]ed|bad user ?name or password|bad_username|Bad User Name/i.test(text))
    return new NonRetryableError(`The MQTT broker at ${where} refused the login: wrong username or password (${text})`);
  if (/identifier rejected|client ?identifier not valid/i.test(text))
    return new NonRetryableError(`The MQTT broker at ${where} rejected the clientId (${text})`);
  return new TaskError(`Cannot connect to the MQTT broker at ${where}: ${text}`);
}

/** Disconnects; `force` drops the connection without a clean DISCONNECT (nothing more is acknowledged). */
export async function closeMqtt(client: MqttClient, force = false): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  // mqtt.js may never call back when the connection is already gone: a bounded wait, then a forced end.
  const bounded = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      client.end(true);
      resolve();
    }, CLOSE_TIMEOUT_MS);
  });
  await Promise.race([client.endAsync(force).catch(() => undefined), bounded]);
  clearTimeout(timer);
}
