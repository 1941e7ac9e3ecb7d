/**
 * The properties Kestra's mail tasks share: the SMTP server, the addresses, the bodies and the
 * files from internal storage.
 *
 * @module
 */
import { z } from "@saker/sdk";

export const TRANSPORT_STRATEGIES = ["SMTP", "SMTPS", "SMTP_TLS"] as const;
export type TransportStrategy = (typeof TRANSPORT_STRATEGIES)[number];

/** One address, several separated by `;` or `,`, or a list of them. */
const addresses = () => z.union([z.string(), z.array(z.string())]);

const file = z.object({
  name: z.string().min(1).describe("The file name the recipient sees (for an embedded image, its `cid:`)."),
  uri: z.string().min(1).describe("The `kestra://` URI of the file in internal storage."),
  contentType: z.string().default("application/octet-stream").describe("The MIME type of the file."),
});
export type MailFile = z.infer<typeof file>;

export const serverProperties = {
  host: z.string().min(1).describe("The SMTP server's host name."),
  port: z
    .number()
    .int()
    .min(1)
    .max(65535)
    .optional()
    .describe("The SMTP server's port (default: 465 for SMTPS, 587 for SMTP_TLS, 25 for SMTP)."),
  username: z.string().optional().describe("The user to log in as; no authentication without one."),
  password: z.string().optional().describe("The password of `username`."),
  transportStrategy: z
    .enum(TRANSPORT_STRATEGIES)
    .default("SMTPS")
    .describe("SMTP (plain), SMTPS (TLS from the start) or SMTP_TLS (plain, then STARTTLS, which is required)."),
  sessionTimeout: z
    .number()
    .int()
    .min(1)
    .default(10000)
    .describe("Milliseconds to wait for the server to connect and answer each command."),
  verifyServerIdentity: z
    .boolean()
    .default(true)
    .describe("Check the server's TLS certificate and host name (SMTPS and SMTP_TLS)."),
};

export const messageProperties = {
  from: z.string().min(1).describe("The sender's address."),
  to: addresses().optional().describe("The recipients: one address, several separated by `;` or `,`, or a list."),
  cc: addresses().optional().describe("Carbon-copy recipients, as `to`."),
  bcc: addresses().optional().describe("Blind carbon-copy recipients, as `to`: they are not in the headers."),
  subject: z.string().optional().describe("The subject line."),
  attachments: z.array(file).optional().describe("Files from internal storage attached to the mail."),
  embeddedImages: z
    .array(file)
    .optional()
    .describe("Images from internal storage shown inline: the HTML refers to each as `cid:<name>`."),
};

export const bodyProperties = {
  htmlTextContent: z.string().optional().describe("The HTML body."),
  plainTextContent: z.string().optional().describe("The plain-text body (the alternative to the HTML one)."),
};

/** `a@x; b@y`, `a@x, b@y` or a list of such strings: the addresses, trimmed, empty ones left out. */
export function addressList(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  const items = typeof value === "string" ? [value] : value;
  return items
    .flatMap((item) => item.split(/[;,]/))
    .map((a) => a.trim())
    .filter(Boolean);
}
