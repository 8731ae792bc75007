import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { JSDOM } from 'jsdom';
import { contentSecurityPolicy } from '../../src/views/csp';
import {
  createMarkdownRenderer,
  MAX_FORMULA_CHARS,
  MAX_FORMULAS_PER_TEXT,
  MAX_MARKDOWN_CHARS,
  WIDE_INLINE_CHARS,
} from '../../webview/shared/markdown';

const renderer = createMarkdownRenderer();

/** Parses rendered HTML the way the webview inserts it (innerHTML into a div). */
function parse(html: string): HTMLElement {
  const dom = new JSDOM('<!DOCTYPE html><div id="root"></div>');
  const root = dom.window.document.getElementById('root')!;
  root.innerHTML = html;
  return root;
}

/** Every way rendered HTML could act: script elements, event handlers, navigable or loading URLs, frames, forms. */
function activeParts(root: HTMLElement): string[] {
  const found: string[] = [];
  for (const el of Array.from(root.querySelectorAll('*'))) {
    const tag = el.tagName.toLowerCase();
    if (
      [
        'script',
        'iframe',
        'object',
        'embed',
        'a',
        'img',
        'form',
        'link',
        'style',
        'meta',
        'base',
        'svg',
        'video',
        'audio',
        'source',
      ].includes(tag)
    )
      found.push(`<${tag}>`);
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on')) found.push(`${tag}[${name}]`);
      if (['href', 'src', 'srcset', 'action', 'formaction', 'xlink:href', 'data'].includes(name))
        found.push(`${tag}[${name}=${attr.value}]`);
      if (name === 'style' && /url\(|expression|javascript:/i.test(attr.value))
        found.push(`${tag}[style=${attr.value}]`);
    }
  }
  return found;
}

const MALICIOUS = [
  '<script>window.pwned = 1</script>',
  '<img src="x" onerror="window.pwned = 1">',
  '[click me](javascript:window.pwned=1)',
  '<a href="javascript:window.pwned=1">link</a>',
  '[remote](https://attacker.example/x) ![pixel](https://attacker.example/p.png) <https://attacker.example/auto>',
  '$\\href{javascript:window.pwned=1}{click}$ and $\\url{https://attacker.example}$',
  '$\\htmlClass{toolbar}{x}$ $\\htmlId{app}{y}$ $\\htmlStyle{position:fixed;inset:0}{z}$ $\\htmlData{a=b}{w}$',
  '$\\includegraphics{https://attacker.example/i.png}$',
  '<svg onload="window.pwned=1"></svg><iframe src="https://attacker.example"></iframe>',
  '<style>body{display:none}</style><form action="https://attacker.example"><input></form>',
  '```html\n<script>alert(1)</script>\n```',
  '$$\n\\href{javascript:alert(1)}{x}\n$$',
];

describe('webview markdown: model and dataset text renders inertly', () => {
  for (const text of MALICIOUS) {
    test(`inert: ${JSON.stringify(text).slice(0, 70)}`, () => {
      const root = parse(renderer.render(text));
      assert.deepEqual(activeParts(root), []);
    });
  }

  test('raw HTML shows as text, so a reader sees what the model wrote', () => {
    const root = parse(renderer.render('<script>alert(1)</script> and <b>bold</b>'));
    assert.match(root.textContent ?? '', /<script>alert\(1\)<\/script> and <b>bold<\/b>/);
  });

  test('links and images keep their text and show the target only as a tooltip', () => {
    const root = parse(renderer.render('see [the docs](https://example.com/docs) and ![a plot](plot.png)'));
    const link = root.querySelector('.md-link')!;
    assert.equal(link.textContent, 'the docs');
    assert.equal(link.getAttribute('title'), 'https://example.com/docs');
    assert.equal(root.querySelector('.md-image')!.textContent, '[image: a plot]');
  });

  test('a javascript: link is not even parsed as a link', () => {
    const root = parse(renderer.render('[x](javascript:alert(1))'));
    assert.equal(root.querySelector('.md-link'), null);
    assert.match(root.textContent ?? '', /\[x\]\(javascript:alert\(1\)\)/);
  });

  test('KaTeX commands that need trust render as errors, never as links or classes', () => {
    const root = parse(renderer.render('$\\href{https://attacker.example}{x}$ $\\htmlClass{evil}{y}$'));
    assert.equal(root.querySelector('.evil'), null);
    assert.match(root.textContent ?? '', /\\href/);
    assert.ok(
      root.querySelector('.katex-error, [style*="color"]'),
      'the untrusted command is shown in the error colour',
    );
  });
});

describe('webview markdown: math', () => {
  test('inline and display math in all four delimiters', () => {
    const root = parse(renderer.render('Inline $x^2$ and \\(y\\); display \\[a+b\\]\n\n$$\n\\frac{1}{2}\n$$'));
    assert.equal(root.querySelectorAll('.katex').length, 4);
    assert.equal(root.querySelectorAll('.katex-display').length, 2);
    assert.equal(root.querySelectorAll('.math-block').length, 1);
  });

  test('dollar amounts are not math', () => {
    const root = parse(renderer.render('It costs $5 and $6, or $ 7$.'));
    assert.equal(root.querySelectorAll('.katex').length, 0);
    assert.equal(root.textContent?.trim(), 'It costs $5 and $6, or $ 7$.');
  });

  test('an escaped dollar stays a dollar, also inside math', () => {
    const root = parse(renderer.render('price \\$5 and $\\$x$'));
    assert.equal(root.querySelectorAll('.katex').length, 1);
    assert.match(root.textContent ?? '', /^price \$5 and /);
  });

  test('a multi-line display block keeps its lines', () => {
    const root = parse(renderer.render('$$\nx = 1 \\\\\ny = 2\n$$'));
    assert.equal(root.querySelectorAll('.katex-display').length, 1);
    assert.match(root.querySelector('annotation')?.textContent ?? '', /x = 1 \\\\\ny = 2/);
  });

  test('a parse error shows the source in the error colour instead of throwing', () => {
    const root = parse(renderer.render('$\\frac{1}{$'));
    assert.ok(root.querySelector('.katex-error'));
  });
});

describe('webview markdown: enormous input stays bounded', () => {
  test('an overlong formula is shown as source, not rendered', () => {
    const tex = 'x+'.repeat(MAX_FORMULA_CHARS);
    const root = parse(renderer.render(`$${tex}x$`));
    assert.equal(root.querySelectorAll('.katex').length, 0);
    const source = root.querySelector('code.math-source')!;
    assert.match(source.getAttribute('title') ?? '', /not rendered/);
  });

  test('formulas beyond the per-text budget are shown as source', () => {
    const text = Array.from({ length: MAX_FORMULAS_PER_TEXT + 5 }, (_, i) => `$x_{${i}}$`).join(' ');
    const root = parse(renderer.render(text));
    assert.equal(root.querySelectorAll('.katex').length, MAX_FORMULAS_PER_TEXT);
    assert.equal(root.querySelectorAll('code.math-source').length, 5);
  });

  test('the budget is per text: the next render starts afresh', () => {
    renderer.render(Array.from({ length: MAX_FORMULAS_PER_TEXT + 1 }, () => '$x$').join(' '));
    assert.equal(parse(renderer.render('$y$')).querySelectorAll('.katex').length, 1);
  });

  test('huge sizes and macro bombs are capped by KaTeX limits', () => {
    const started = Date.now();
    const bomb =
      '\\def\\a{xxxxxxxxxx}\\def\\b{\\a\\a\\a\\a\\a\\a\\a\\a\\a\\a}\\def\\c{\\b\\b\\b\\b\\b\\b\\b\\b\\b\\b}\\def\\d{\\c\\c\\c\\c\\c\\c\\c\\c\\c\\c}\\d\\d\\d';
    const root = parse(renderer.render(`$\\rule{100000em}{100000em}$ $${bomb}$`));
    const rule = root.querySelector('.katex-rule') as HTMLElement | null;
    assert.ok(rule, 'the rule renders');
    assert.ok(
      !/100000em/.test(rule.getAttribute('style') ?? ''),
      `maxSize caps the rule: ${rule.getAttribute('style')}`,
    );
    assert.ok(root.querySelector('.katex-error'), 'the macro bomb stops at maxExpand with an error');
    assert.ok(Date.now() - started < 5000);
  });

  test('deep nesting that overflows the parser still yields escaped source', () => {
    const deep = `${'\\frac{'.repeat(3000)}1${'}{2}'.repeat(3000)}`.slice(0, MAX_FORMULA_CHARS - 1);
    const root = parse(renderer.render(`$${deep}$`));
    assert.deepEqual(activeParts(root), []);
  });

  test('a long inline formula gets its own scroll box; short ones stay in the text flow', () => {
    const root = parse(renderer.render(`short $x+y$ and long $${'x'.repeat(WIDE_INLINE_CHARS + 1)}$`));
    const wide = root.querySelectorAll('.math-wide');
    assert.equal(wide.length, 1);
    assert.ok(wide[0].querySelector('.katex'));
    assert.equal(root.querySelectorAll('.katex').length, 2);
  });

  test('a text beyond the markdown limit is shown as plain preformatted text', () => {
    const text = `<script>x</script>${'a'.repeat(MAX_MARKDOWN_CHARS)}`;
    const root = parse(renderer.render(text));
    const pre = root.querySelector('pre.md-plain')!;
    assert.ok(pre);
    assert.equal(pre.textContent, text);
    assert.deepEqual(activeParts(root), []);
  });
});

describe('webview CSP', () => {
  test('denies everything by default and allows scripts only with the nonce', () => {
    const csp = contentSecurityPolicy('https://file+.vscode-resource.vscode-cdn.net', 'abc123');
    const directives = new Map(
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([name, ...values]) => [name, values]),
    );
    assert.deepEqual(directives.get('default-src'), ["'none'"]);
    assert.deepEqual(directives.get('script-src'), ["'nonce-abc123'"]);
    assert.ok(!csp.includes("'unsafe-eval'"));
    assert.ok(!/script-src[^;]*unsafe-inline/.test(csp));
    for (const d of ['connect-src', 'frame-src', 'child-src', 'object-src'])
      assert.ok(!directives.has(d), `${d} falls back to 'none'`);
    assert.deepEqual(directives.get('img-src'), ['https://file+.vscode-resource.vscode-cdn.net']);
    assert.deepEqual(directives.get('font-src'), ['https://file+.vscode-resource.vscode-cdn.net']);
  });
});
