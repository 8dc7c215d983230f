import { hasRole, type Officer, type Role } from '../../letter/access';
import { CSRF_FIELD } from '../auth/session';
import type { DeskFormat } from './format';
import { html, type Fragment, type Html } from './html';

/** What every signed-in page is drawn with: who looks, their CSRF token for its forms, how to write dates. */
export interface PageContext {
  officer: Officer;
  csrfToken: string;
  format: DeskFormat;
  agencyName: string;
  /** The request's path, to mark where the officer is in the menu. */
  path: string;
}

/** The menu: what each role may open. */
const MENU: { href: string; label: string; role: Role }[] = [
  { href: '/', label: 'คิวงาน', role: 'officer' },
  { href: '/register', label: 'ทะเบียนหนังสือรับ', role: 'officer' },
  { href: '/held', label: 'หนังสือที่กันไว้', role: 'supervisor' },
  { href: '/replies', label: 'ตอบรับที่รอส่ง', role: 'admin' },
  { href: '/admin/officers', label: 'เจ้าหน้าที่', role: 'admin' },
  { href: '/admin/units', label: 'หน่วยงาน', role: 'admin' },
  { href: '/admin/routing', label: 'กฎการส่งต่อ', role: 'admin' },
  { href: '/admin/tokens', label: 'โทเคน API', role: 'admin' },
];

export const ROLE_NAMES: Record<Role, string> = { officer: 'เจ้าหน้าที่', supervisor: 'หัวหน้า', admin: 'ผู้ดูแลระบบ' };

function current(path: string, href: string): boolean {
  return href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`);
}

/** The hidden field every form that changes something carries. */
export const csrfField = (ctx: Pick<PageContext, 'csrfToken'>): Html => html`<input type="hidden" name="${CSRF_FIELD}" value="${ctx.csrfToken}">`;

/** A whole page for a signed-in officer: the menu, then the page's own content. */
export function page(ctx: PageContext, title: string, main: Fragment): Html {
  const links = MENU.filter((m) => hasRole(ctx.officer, m.role)).map(
    (m) => html`<li><a href="${m.href}"${current(ctx.path, m.href) ? html` aria-current="page"` : ''}>${m.label}</a></li>`,
  );
  return document(
    `${title} · ${ctx.agencyName}`,
    html`<a class="skip" href="#main">ข้ามไปยังเนื้อหา</a>
<header class="top">
  <div class="brand"><a href="/">สารบรรณ</a> <span class="agency">${ctx.agencyName}</span></div>
  <nav aria-label="เมนูหลัก"><ul>${links}</ul></nav>
  <form class="signout" method="post" action="/logout">
    ${csrfField(ctx)}
    <span class="who">${ctx.officer.name} <small>(${ROLE_NAMES[ctx.officer.role]})</small></span>
    <button type="submit">ออกจากระบบ</button>
  </form>
</header>
<main id="main">
<h1>${title}</h1>
${main}
</main>`,
  );
}

/** A page anyone may open (sign-in, the contact page): no menu. */
export function publicPage(title: string, main: Fragment): Html {
  return document(title, html`<main id="main" class="narrow">${main}</main>`);
}

function document(title: string, body: Html): Html {
  return html`<!doctype html>
<html lang="th">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="/assets/fonts/400.css">
<link rel="stylesheet" href="/assets/fonts/700.css">
<link rel="stylesheet" href="/assets/desk.css">
<script src="/assets/desk.js" defer></script>
</head>
<body>
${body}
</body>
</html>
`;
}

/** A message above a page's content: what was just done, or why it was not. */
export function banner(kind: 'done' | 'error', text: string | null | undefined): Html | '' {
  if (!text) return '';
  return kind === 'done'
    ? html`<p class="banner done" role="status">${text}</p>`
    : html`<p class="banner error" role="alert">${text}</p>`;
}
