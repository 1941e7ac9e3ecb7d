/**
 * The services a test needs (PostgreSQL, Redis, RabbitMQ, MQTT, NATS…). With CI=true a service
 * that does not answer fails the tests; locally they are skipped with a message naming it.
 */
import { createConnection } from "node:net";

/** True when something accepts TCP connections on host:port within a second. */
export function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/**
 * Whether a service is up. In CI (`CI=true`) a missing service throws, failing the suite; locally
 * it returns false after printing why the tests are skipped.
 */
export async function serviceAvailable(name: string, host: string, port: number): Promise<boolean> {
  if (await portOpen(host, port)) return true;
  const message = `${name} is not reachable on ${host}:${port}`;
  if (process.env.CI === "true") throw new Error(`${message} (CI=true: the service is required)`);
  console.warn(`${message}: skipping its tests (set CI=true to make this a failure)`);
  return false;
}
