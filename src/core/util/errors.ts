/** The message of anything thrown: an Error's own message, else its string form (a rejected string, a number…). */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
