/**
 * PostgreSQL array literals in text form (`{1,2,NULL}`, `{"a,b","c\"d"}`, `{{1,2},{3,4}}`), read
 * into nested lists of element texts; `null` for SQL NULL.
 */
export type ArrayText = null | string | ArrayText[];

export function parseArrayLiteral(text: string, delimiter = ","): ArrayText[] {
  // An explicit lower bound (`[0:1]={…}`) only shifts indexes: drop it.
  const body = text.startsWith("[") ? text.slice(text.indexOf("=") + 1) : text;
  let i = 0;
  const parseList = (): ArrayText[] => {
    const items: ArrayText[] = [];
    i++; // {
    if (body[i] === "}") {
      i++;
      return items;
    }
    for (;;) {
      items.push(parseItem());
      const c = body[i++];
      if (c === "}") return items;
      if (c !== delimiter) throw new Error(`malformed array literal '${text.slice(0, 60)}'`);
    }
  };
  const parseItem = (): ArrayText => {
    if (body[i] === "{") return parseList();
    if (body[i] === '"') {
      let out = "";
      i++;
      while (i < body.length && body[i] !== '"') {
        if (body[i] === "\\") i++;
        out += body[i++];
      }
      i++;
      return out;
    }
    const start = i;
    while (i < body.length && body[i] !== delimiter && body[i] !== "}") i++;
    const raw = body.slice(start, i).trim();
    return raw.toUpperCase() === "NULL" ? null : raw;
  };
  if (body[0] !== "{") throw new Error(`malformed array literal '${text.slice(0, 60)}'`);
  return parseList();
}
