// Everything from the head commit (package names, versions, scenario names, logs, error messages) passes
// through here before it reaches the PR comment, so it can neither break the markdown nor inject HTML, and it
// cannot mention, reference or link: GitHub finds `@user`, `#1` and `GH-1` in the text *after* rendering, so
// character references (`&#64;`) alone do not stop them. An invisible zero-width space (U+200B, the way
// Dependabot and Renovate quote release notes) goes after every `@`, `#` and `&`, into `GH-1`, before `://`
// and before a dot that a letter follows (`www.`, `evil.com`; a break after the dot still links in GFM): no
// decoding of the output rebuilds a mention, a reference, an entity or a link, and the text reads the same.

// Terminal colour codes and other control characters have no place in a comment and can hide text.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const ANSI_ESCAPES = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b[@-_]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g;

// Every ASCII character that markdown, GFM tables, math, emoji shortcodes or HTML give a meaning to.
// Numeric references render as the literal character and are never parsed as markup again.
const MARKUP_CHARS = /[!"#$%&'()*+:;<=>?[\\\]^_`{|}~@\u200b]/g;
const BREAK = '\u200b';
/** A break goes after `@ # &` and `GH-` (before a digit), and before `://` and a dot that a letter follows. */
const BREAK_AFTER = /[@#&]|\bgh-(?=\d)/giu;
const BREAK_BEFORE = /(?=:\/\/|\.\p{L})/gu;

/** Untrusted text that no renderer turns into a mention, an issue reference or a link (see the top). */
function inert(text: string): string {
  return text.replace(BREAK_AFTER, (match) => `${match}${BREAK}`).replace(BREAK_BEFORE, BREAK);
}

/** Cuts a string to at most `maxChars` code points, marking the cut, so no surrogate pair is split. */
export function clampText(text: string, maxChars: number): string {
  const codePoints = Array.from(text);
  if (codePoints.length <= maxChars) return text;
  return `${codePoints.slice(0, Math.max(0, maxChars - 1)).join('')}…`;
}

/** Keeps the last `maxLines` lines and at most `maxChars` code points of a log. */
export function tailText(text: string, maxLines: number, maxChars: number): string {
  const lines = stripControls(text, true).split('\n');
  const kept = lines.slice(-maxLines).join('\n');
  const codePoints = Array.from(kept);
  return codePoints.length <= maxChars ? kept : `…${codePoints.slice(-(maxChars - 1)).join('')}`;
}

function stripControls(text: string, keepNewlines: boolean): string {
  const cleaned = text.replace(ANSI_ESCAPES, '').replace(/\r\n?/g, '\n');
  const flattened = keepNewlines ? cleaned.replace(/\t/g, '  ') : cleaned.replace(/[\n\t]/g, ' ');
  return flattened.replace(CONTROL_CHARS, '');
}

/** Untrusted text for a terminal: one line, no control characters or colour codes. */
export function plainText(text: string, maxChars = 200): string {
  return clampText(stripControls(text, false), maxChars);
}

/** Untrusted text as inert inline markdown: one line, no markup, safe inside a table cell. */
export function escapeInline(text: string, maxChars = 200): string {
  return inert(clampText(stripControls(text, false), maxChars)).replace(
    MARKUP_CHARS,
    (char) => `&#${char.codePointAt(0)};`,
  );
}

/** Untrusted text in a `<code>` span: rendered monospace, and GitHub does not turn `@scope` into a mention. */
export function inlineCode(text: string, maxChars = 200): string {
  return `<code>${escapeInline(text, maxChars)}</code>`;
}

/**
 * Untrusted multi-line text (a log tail) as a `<pre>` HTML block. The block ends only at `</pre>`, which
 * escaped content cannot contain, and markdown is not parsed inside it.
 */
export function preformatted(text: string, maxLines = 40, maxChars = 4000): string {
  const escaped = inert(tailText(text, maxLines, maxChars)).replace(
    /[&<>\u200b]/g,
    (char) => `&#${char.codePointAt(0)};`,
  );
  return `<pre>${escaped}</pre>`;
}

/**
 * The key's hidden marker. Keys can come from scenario names in the head commit, so only a safe alphabet
 * survives: no `-->` can end the comment early, and two keys differing only in markup map apart predictably.
 */
export function commentMarker(commentKey: string): string {
  const safeKey = clampText(commentKey, 100).replace(/[^A-Za-z0-9._/@+-]/g, '_');
  return `<!-- leakwatch:${safeKey} -->`;
}
