// HTML for the desk's pages, written as typed TypeScript functions rather than a template
// language: the compiler checks every field a page shows. Everything interpolated is escaped
// unless it is already Html (a fragment made by this same tag), so a letter's subject full of
// scripts shows as text. (html-template-tag and hono/html do the same, but the first marks
// nested fragments raw with `$${}` at each use, and the second types every result as possibly
// a Promise; this is the 30 lines we need.)

/** Markup that is safe to send: made by html`...`, never from a string as it came. */
export class Html {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

/** What a page may interpolate: text (escaped), numbers, Html, lists of these; nothing for null, undefined, false. */
export type Fragment = Html | string | number | null | undefined | false | readonly Fragment[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

function render(value: Fragment): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.markup;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** The tag: html`<td>${letter.subject}</td>` escapes the subject. */
export function html(strings: TemplateStringsArray, ...values: Fragment[]): Html {
  let markup = strings[0];
  for (let i = 0; i < values.length; i++) markup += render(values[i]) + strings[i + 1];
  return new Html(markup);
}

/** Markup written by us, not built from anything a sender or officer wrote. */
export const trusted = (markup: string): Html => new Html(markup);
