/**
 * Icons for Kestra's UI, which shows each type and group with an SVG given as base64. A type or a
 * plugin may bring its own (`icon`: an SVG document or a data URI); otherwise its group gets one of
 * the small default glyphs below, chosen by the words of its type id.
 */

const frame = (body: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="24" height="24" fill="none" stroke="#8405FF" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round">${body}</svg>`;

/** Default glyphs by a word of the type id (its package), most specific first. */
const GLYPHS: ReadonlyArray<readonly [RegExp, string]> = [
  [
    /\.(flow)\b/,
    frame(
      '<circle cx="6" cy="5" r="2"/><circle cx="6" cy="19" r="2"/><circle cx="18" cy="12" r="2"/><path d="M6 7v10M6 12h4a4 4 0 0 0 4-4V8M14 16a4 4 0 0 0-4-4"/>',
    ),
  ],
  [/\.(log)\b/, frame('<path d="M5 4h14v16H5z"/><path d="M8 8h8M8 12h8M8 16h5"/>')],
  [
    /\.(http|webhook)\b/,
    frame('<circle cx="12" cy="12" r="8"/><path d="M4 12h16M12 4c2.5 2.5 2.5 13.5 0 16M12 4c-2.5 2.5-2.5 13.5 0 16"/>'),
  ],
  [/\.(kv|secret)\b/, frame('<circle cx="8" cy="12" r="3.5"/><path d="M11.5 12H20M17 12v3M20 12v2"/>')],
  [/\.(storage|fs|file|namespace|output)\b/, frame('<path d="M4 6h6l2 2h8v11H4z"/>')],
  [/\.(trigger)\b/, frame('<path d="M13 3 5 14h6l-1 7 8-11h-6z"/>')],
  [/\.(condition)\b/, frame('<path d="M12 3 21 12 12 21 3 12z"/><path d="M12 9v4M12 16h.01"/>')],
  [/\.(execution)\b/, frame('<circle cx="12" cy="12" r="8"/><path d="m10 8.5 5 3.5-5 3.5z"/>')],
  [/\.(debug|templating)\b/, frame('<path d="m8 8-4 4 4 4M16 8l4 4-4 4M13.5 6l-3 12"/>')],
  [
    /\.(jdbc|sql|db|duckdb|postgres|mysql|mariadb|sqlite)\b/,
    frame(
      '<ellipse cx="12" cy="6" rx="7" ry="2.5"/><path d="M5 6v12c0 1.4 3.1 2.5 7 2.5s7-1.1 7-2.5V6M5 12c0 1.4 3.1 2.5 7 2.5s7-1.1 7-2.5"/>',
    ),
  ],
  [/\.(scripts?|shell|python|node|exec)\b/, frame('<path d="M4 5h16v14H4z"/><path d="m7 9 3 3-3 3M12 15h5"/>')],
];

const PLUGIN = frame('<path d="M9 4h6v3a2 2 0 1 0 0 4v3h-3a2 2 0 1 0-4 0H5V8h4z"/><path d="M15 14h4v6h-6v-2"/>');

function base64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

/** An icon as Kestra's API gives it: the SVG in base64. */
export function iconBase64(icon: string): string {
  const dataUri = /^data:image\/svg\+xml((?:;[^;,]*)*),/i.exec(icon);
  if (!dataUri) return base64(icon);
  const payload = icon.slice(dataUri[0].length);
  return /;base64$/i.test(dataUri[1]!) ? payload : base64(decodeURIComponent(payload));
}

/** The default icon (base64 SVG) of a type or group id. */
export function defaultIcon(id: string): string {
  const found = GLYPHS.find(([words]) => words.test(id));
  return base64(found ? found[1] : PLUGIN);
}
