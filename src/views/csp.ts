/**
 * The Content-Security-Policy of every PRM Lens webview: nothing is allowed unless listed. Scripts only with this
 * render's nonce; styles and fonts only from the extension's own files; no connections, frames, objects or remote
 * images. Inline style *attributes* are allowed because KaTeX positions glyphs with them (model text cannot create
 * attributes: markdown-it escapes HTML); `<style>` elements still need the nonce.
 */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    `font-src ${cspSource}`,
    `img-src ${cspSource}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}
