/**
 * A small, safe Markdown renderer for plugin docs: headings, paragraphs, fenced code blocks,
 * inline code, lists, tables, bold, italics and links. Every piece of text is HTML-escaped before
 * any markup is added, so the output can be set as HTML; links keep only http(s), mailto,
 * relative and `#` targets.
 */

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** Whether a link target is safe to follow (no `javascript:`, `data:`…). */
export function safeUrl(url: string): boolean {
  const trimmed = url.trim();
  if (/^(https?:|mailto:)/i.test(trimmed)) return true;
  return !/^[a-z][a-z0-9+.-]*:/i.test(trimmed) && !trimmed.startsWith("//");
}

function emphasis(escaped: string): string {
  return escaped
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
    .replace(/__([^_]+)__/g, "<strong>$1</strong>")
    .replace(/(^|[^*\w])\*([^*\s][^*]*?)\*(?!\w)/g, "$1<em>$2</em>")
    .replace(/(^|[^_\w])_([^_\s][^_]*?)_(?!\w)/g, "$1<em>$2</em>");
}

function textWithLinks(text: string): string {
  let out = "";
  let last = 0;
  const link = /\[([^\]]+)\]\(((?:[^()\s]|\([^()\s]*\))+)(?:\s+"[^"]*")?\)/g;
  for (let m = link.exec(text); m; m = link.exec(text)) {
    out += emphasis(escapeHtml(text.slice(last, m.index)));
    const [, label, url] = m;
    if (safeUrl(url!)) {
      const external = /^https?:/i.test(url!);
      out += `<a href="${escapeHtml(url!)}"${external ? ' target="_blank" rel="noopener noreferrer"' : ""}>${emphasis(escapeHtml(label!))}</a>`;
    } else out += emphasis(escapeHtml(label!));
    last = m.index + m[0].length;
  }
  return out + emphasis(escapeHtml(text.slice(last)));
}

/** Inline Markdown: code spans first (their content is literal), then links and emphasis. */
export function renderInline(text: string): string {
  const parts = text.split(/(`+[^`]*?`+)/);
  return parts
    .map((part) => {
      const code = /^(`+)([^`]*?)\1$/.exec(part);
      if (code) return `<code>${escapeHtml(code[2]!)}</code>`;
      return textWithLinks(part);
    })
    .join("");
}

function tableRow(line: string): string[] {
  const inner = line.trim().replace(/^\|/, "").replace(/\|$/, "");
  const cells: string[] = [];
  let current = "";
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (c === "\\" && inner[i + 1] === "|") {
      current += "|";
      i++;
    } else if (c === "|") {
      cells.push(current.trim());
      current = "";
    } else current += c;
  }
  cells.push(current.trim());
  return cells;
}

const isTableSeparator = (line: string) => /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/.test(line);

/** Renders Markdown to HTML (safe to set as innerHTML). */
export function renderMarkdown(markdown: string): string {
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  const out: string[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length) out.push(`<p>${renderInline(paragraph.join(" "))}</p>`);
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = /^\s*(```+|~~~+)\s*([\w+-]*)\s*$/.exec(line);
    if (fence) {
      flush();
      const code: string[] = [];
      i++;
      while (i < lines.length && !lines[i]!.trim().startsWith(fence[1]!)) code.push(lines[i++]!);
      const lang = fence[2] ? ` class="language-${escapeHtml(fence[2])}"` : "";
      out.push(`<pre><code${lang}>${escapeHtml(code.join("\n"))}</code></pre>`);
      continue;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      flush();
      const level = heading[1]!.length;
      out.push(`<h${level}>${renderInline(heading[2]!)}</h${level}>`);
      continue;
    }
    if (/^\s*[-*+]\s+/.test(line) || /^\s*\d+[.)]\s+/.test(line)) {
      flush();
      const ordered = /^\s*\d+[.)]\s+/.test(line);
      const item = ordered ? /^\s*\d+[.)]\s+(.*)$/ : /^\s*[-*+]\s+(.*)$/;
      const items: string[] = [];
      while (i < lines.length && item.test(lines[i]!)) {
        let text = item.exec(lines[i]!)![1]!;
        // continuation lines (indented) belong to the item
        while (i + 1 < lines.length && /^\s{2,}\S/.test(lines[i + 1]!) && !item.test(lines[i + 1]!))
          text += " " + lines[++i]!.trim();
        items.push(`<li>${renderInline(text)}</li>`);
        i++;
      }
      i--;
      out.push(ordered ? `<ol>${items.join("")}</ol>` : `<ul>${items.join("")}</ul>`);
      continue;
    }
    if (line.trim().startsWith("|") && i + 1 < lines.length && isTableSeparator(lines[i + 1]!)) {
      flush();
      const head = tableRow(line);
      i += 2;
      const rows: string[][] = [];
      while (i < lines.length && lines[i]!.trim().startsWith("|")) rows.push(tableRow(lines[i++]!));
      i--;
      out.push(
        `<table><thead><tr>${head.map((h) => `<th>${renderInline(h)}</th>`).join("")}</tr></thead><tbody>${rows
          .map((r) => `<tr>${r.map((c) => `<td>${renderInline(c)}</td>`).join("")}</tr>`)
          .join("")}</tbody></table>`,
      );
      continue;
    }
    if (line.trim() === "") {
      flush();
      continue;
    }
    paragraph.push(line.trim());
  }
  flush();
  return out.join("\n");
}
