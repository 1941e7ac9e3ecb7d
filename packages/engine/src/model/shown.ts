/** `text` cut to `max` characters (with an ellipsis) for an error message. */
export function shown(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
