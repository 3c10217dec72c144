// Terminal layout: every line fits the width. Long words (paths) break after a `/`, as GitHub wraps them in
// the comment, and continuation lines hang under the first line's text.

export const TERMINAL_WIDTH = 100;

/** Splits a word longer than `room` after slashes (else anywhere), so no piece exceeds it. */
function breakWord(word: string, room: number): string[] {
  const pieces: string[] = [];
  let rest = word;
  while (rest.length > room) {
    const slash = rest.lastIndexOf('/', room - 1);
    const cut = slash > 0 ? slash + 1 : room;
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  return [...pieces, rest];
}

/** Wraps `text` to `width`, the first line after `first`, the others after `rest` (both counted in the width). */
export function wrapText(
  text: string,
  options: { first?: string; rest?: string; width?: number } = {},
): string[] {
  const width = options.width ?? TERMINAL_WIDTH;
  const first = options.first ?? '';
  const rest = options.rest ?? ' '.repeat(first.length);
  const lines: string[] = [];
  let line = first;
  let isLineEmpty = true;
  const room = () => width - (lines.length === 0 ? first.length : rest.length);
  for (const word of text.split(/\s+/).filter((part) => part.length > 0)) {
    for (const piece of breakWord(word, Math.max(8, room()))) {
      const next = isLineEmpty ? `${line}${piece}` : `${line} ${piece}`;
      if (next.length > width && !isLineEmpty) {
        lines.push(line);
        line = `${rest}${piece}`;
      } else line = next;
      isLineEmpty = false;
    }
  }
  lines.push(line);
  return lines;
}

/** Pads cells into columns: `align` per column, `l` or `r`; the last column is never padded on the right. */
export function formatColumns(rows: string[][], align: ('l' | 'r')[], indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, cell.length);
    });
  }
  return rows.map((row) =>
    (
      indent +
      row
        .map((cell, index) => {
          const pad = widths[index] ?? 0;
          return align[index] === 'r' ? cell.padStart(pad) : cell.padEnd(pad);
        })
        .join('   ')
    ).trimEnd(),
  );
}

const STYLES = { red: '31', green: '32', yellow: '33', bold: '1', dim: '2' } as const;

export type Paint = (style: keyof typeof STYLES, text: string) => string;

/** Colours only when asked to (a TTY without NO_COLOR); plain text otherwise. */
export function painter(isColor: boolean): Paint {
  return (style, text) => (isColor ? `\u001b[${STYLES[style]}m${text}\u001b[0m` : text);
}
