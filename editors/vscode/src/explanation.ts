// The "Explain" view: what the server's `vblint.explain` command returned, and the page that
// shows it. Plain Node.js (no `vscode` import), so test/ can check it outside VS Code.

/// The command the server's "Explain" code action runs, with arguments `[ruleId]`.
export const EXPLAIN_COMMAND = 'vblint.explain';

export interface Explanation {
  title: string;
  markdown: string;
}

/// What to show for the result of `vblint.explain`. The server answers `{title, markdown}`;
/// a bare string (older servers) is taken as the markdown. Anything else gives `undefined`.
export function explanationFrom(result: unknown, ruleId: unknown): Explanation | undefined {
  const fallbackTitle = typeof ruleId === 'string' && ruleId !== '' ? `vblint: ${ruleId}` : 'vblint: explanation';
  if (typeof result === 'string') {
    return result.trim() === '' ? undefined : { title: fallbackTitle, markdown: result };
  }
  if (result !== null && typeof result === 'object') {
    const { title, markdown } = result as { title?: unknown; markdown?: unknown };
    if (typeof markdown === 'string' && markdown.trim() !== '') {
      return { title: typeof title === 'string' && title.trim() !== '' ? title.trim() : fallbackTitle, markdown };
    }
  }
  return undefined;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/// The webview page for an explanation. `body` is HTML from VS Code's markdown renderer, or
/// undefined when that was not available (the markdown is then shown as text). No scripts, and
/// nothing is loaded from anywhere.
export function explanationPage(explanation: Explanation, body: string | undefined): string {
  const content = body ?? `<pre class="plain">${escapeHtml(explanation.markdown)}</pre>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline';">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(explanation.title)}</title>
<style>
  body { max-width: 46em; padding: 0.5em 1.5em 2em; line-height: 1.55; font-size: var(--vscode-editor-font-size, 14px); }
  code { font-family: var(--vscode-editor-font-family, monospace); }
  li { margin: 0.25em 0; }
  pre.plain { white-space: pre-wrap; font-family: inherit; }
</style>
</head>
<body>
${content}
</body>
</html>
`;
}
