/**
 * What went wrong reading a mailbox, as a Saker error naming the flow, the trigger, the property
 * to look at and the server: a refused login (`password`), a folder that does not exist
 * (`folder`), a certificate that is not trusted (`trustAllCertificates`), TLS spoken to a clear-text
 * port or the reverse (`ssl`), a host that does not resolve (`host`), a port nobody listens on
 * (`port`), a server that does not answer.
 *
 * The password is never part of a message: none is built with it, and in case a server or a
 * library quoted it, it is cut out of every message.
 *
 * @module
 */
import { NonRetryableError, SakerError, TaskError, errorMessage, isSakerError } from "@saker/sdk";
import { Pop3Error } from "./pop3Client.ts";
import { locate, serverName, type Mailbox } from "./mailboxProperties.ts";

/** The fields imapflow and Node set on their errors. */
interface ClientError {
  code?: string;
  authenticationFailed?: boolean;
  mailboxMissing?: boolean;
  responseText?: string;
  serverResponseCode?: string;
  tlsFailed?: boolean;
}

const CERTIFICATE_CODES =
  /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_.*|ERR_TLS_CERT_ALTNAME_INVALID)$/;
const TIMEOUT_CODES = /^(ETIMEDOUT|ETIMEOUT|CONNECT_TIMEOUT|GREETING_TIMEOUT|UPGRADE_TIMEOUT)$/;
const LOST_CODES = /^(NoConnection|EConnectionClosed|ECONNRESET|EPIPE)$/;

function fieldsOf(error: unknown): ClientError {
  const cause = error instanceof Pop3Error && error.cause ? (error.cause as ClientError) : undefined;
  return { ...(cause ?? {}), ...((error ?? {}) as ClientError) };
}

/** The server's own words, when it gave some (`[AUTHENTICATIONFAILED] Authentication failed.`). */
function serverText(error: unknown): string {
  if (error instanceof Pop3Error && error.serverText) return error.serverText;
  const { responseText, serverResponseCode } = fieldsOf(error);
  if (!responseText) return errorMessage(error);
  return serverResponseCode && !responseText.startsWith("[") ? `[${serverResponseCode}] ${responseText}` : responseText;
}

function hidden(text: string, password: string): string {
  return password ? text.split(password).join("******") : text;
}

/** The error `error` (from imapflow, the POP3 client or Node) means for a user, as a Saker error. */
export function mailboxError(error: unknown, mailbox: Mailbox): SakerError {
  if (isSakerError(error)) return error;
  const mapped = classify(error, mailbox);
  const reason = hidden(mapped.reason, mailbox.password);
  const location = locate(mailbox, mapped.property);
  if (mapped.code === "PROPERTY_INVALID") return new SakerError("PROPERTY_INVALID", reason, location);
  return mapped.retryable ? new TaskError(reason, location) : new NonRetryableError(reason, location);
}

interface Classified {
  reason: string;
  property?: string;
  retryable: boolean;
  code?: "PROPERTY_INVALID";
}

function classify(error: unknown, mailbox: Mailbox): Classified {
  const server = serverName(mailbox);
  const fields = fieldsOf(error);
  const code = fields.code ?? "";
  const message = errorMessage(error);
  if (
    fields.authenticationFailed ||
    (error instanceof Pop3Error && error.kind === "refused" && /^(USER|PASS)$/.test(error.command))
  )
    return {
      reason: `${server} refused the login of '${mailbox.username}': ${serverText(error)}`,
      property: "password",
      retryable: false,
    };
  if (fields.mailboxMissing)
    return {
      reason: `the folder '${mailbox.folder}' does not exist on ${server} (for '${mailbox.username}')`,
      property: "folder",
      retryable: false,
      code: "PROPERTY_INVALID",
    };
  if (CERTIFICATE_CODES.test(code))
    return {
      reason: `the TLS certificate of ${server} is not trusted (${message}): set trustAllCertificates: true to accept it, for a server you trust`,
      property: "trustAllCertificates",
      retryable: false,
    };
  if (code === "ERR_SSL_WRONG_VERSION_NUMBER" || code === "EPROTO" || fields.tlsFailed)
    return {
      reason: `TLS with ${server} failed (${message}): does this port speak TLS from the first byte (ssl: ${mailbox.ssl})?`,
      property: "ssl",
      retryable: false,
    };
  if (code === "ECONNREFUSED")
    return {
      reason: `${server} refused the connection: nothing listens on port ${mailbox.port}`,
      property: "port",
      retryable: true,
    };
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NONAME")
    return { reason: `the host '${mailbox.host}' is not known (${code})`, property: "host", retryable: true };
  if (TIMEOUT_CODES.test(code) || (error instanceof Pop3Error && error.kind === "timeout"))
    return { reason: `${server} did not answer in time (${message})`, property: "host", retryable: true };
  if (LOST_CODES.test(code) || (error instanceof Pop3Error && error.kind === "connection"))
    return { reason: `the connection to ${server} was lost (${message})`, property: "host", retryable: true };
  if (error instanceof Pop3Error && error.kind === "refused")
    return { reason: `${server} ${message.replace(/^the server /, "")}`, retryable: true };
  return { reason: `reading the mailbox of '${mailbox.username}' on ${server} failed: ${message}`, retryable: true };
}
