/** Credentials never reach a log line, an error or an output: `scheme://user:password@host` loses its user info. */
const USER_INFO = /([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi;

export function redactUrls(text: string): string {
  return text.replace(USER_INFO, "$1***@");
}

/** An error's message without credentials, for wrapping into a task error. */
export function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message || error.name : String(error);
  const code = (error as { code?: unknown } | undefined)?.code;
  const text = typeof code === "string" && !message.includes(code) ? `${message} (${code})` : message;
  return redactUrls(text);
}
