/**
 * Text bound for a terminal, from files, models or servers, must not drive it: an escape sequence in a step or a
 * critique could set the window title, clear the screen or hide what follows. C0 and C1 control characters (and DEL)
 * other than "\n" and "\t" are shown as escapes ("\x1b", "\x9b") instead. JSON output needs none of this:
 * JSON.stringify already escapes them.
 */
export function forTerminal(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
