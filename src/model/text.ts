/**
 * Text from a model file (names, notes, keys, values echoed in messages) can hold control
 * characters: an ESC that starts a terminal escape sequence, a carriage return that
 * overwrites a line, a C1 control (U+0080–U+009F, which some terminals read as ESC), or a
 * bidirectional override (U+202A–U+202E, U+2066–U+2069) that makes a terminal show text in
 * another order than it is. None of them may reach a terminal or a message as they are:
 * they are written as visible `\u001b`-style escapes (inside JSON strings that is the same
 * JSON escape, so JSON output keeps its meaning).
 */
const UNSAFE_KEEP_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_ONE_LINE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/** Multi-line output (tables, CSV, JSON): control characters escaped, line breaks and tabs kept. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE_KEEP_LINES, escapeChar);
}

/** One line of a message or a table cell: line breaks and tabs escaped too. */
export function oneLine(text: string): string {
  return text.replace(UNSAFE_ONE_LINE, escapeChar);
}

/** A list of names for a message: the first few, then how many in all (a message stays short). */
export function nameList(names: readonly string[], max = 10): string {
  const shown = names.slice(0, max).map((n) => (n.length > 60 ? `${n.slice(0, 60)}…` : n));
  return names.length > max ? `${shown.join(", ")}, … (${names.length.toLocaleString("en-US")} in all)` : shown.join(", ");
}
