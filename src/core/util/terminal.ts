/**
 * Text bound for a terminal, from files, models or servers, must not drive it: an escape sequence in a step or a
 * critique could set the window title, clear the screen or hide what follows. C0 and C1 control characters (and DEL)
 * other than "\n" and "\t" are shown as escapes ("\x1b", "\x9b") instead. The bidirectional embeddings, overrides and
 * isolates (U+202A–U+202E, U+2066–U+2069) are escaped too ("\u202e"): they reorder what follows on the line, so a
 * step could make a printed score or verdict read differently from what was computed ("Trojan Source"). The marks
 * LRM/RLM/ALM are kept: they only affect neighbouring neutral characters and belong to ordinary right-to-left text.
 * JSON output needs none of this: JSON.stringify already escapes the controls, and the bidi characters stay data.
 */
export function forTerminal(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    /[\x00-\x08\x0b-\x1f\x7f-\x9f]|[\u202a-\u202e\u2066-\u2069]/g,
    (c) => {
      const code = c.charCodeAt(0);
      return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
    },
  );
}
