import { z } from 'zod';
import { route, type DeskRoute, type RouteContext } from '../api/route';
import { html, type Html } from './html';
import { banner, publicPage } from './layout';

/** Where to go after signing in: a path of this desk, never another site (`//evil.example`, `/\\evil`). */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])[^\s]*$/.test(next) ? next : '/';
}

/** The sign-in form; `problem` is why the last attempt failed. */
export function loginPage(agencyName: string, next: string, problem?: string, username = ''): Html {
  return publicPage(
    `เข้าสู่ระบบ · ${agencyName}`,
    html`<h1>ระบบสารบรรณอิเล็กทรอนิกส์</h1>
<p class="agency">${agencyName}</p>
${banner('error', problem)}
<form class="login" method="post" action="/login">
  <input type="hidden" name="next" value="${next}">
  <label for="username">ชื่อผู้ใช้</label>
  <input id="username" name="username" autocomplete="username" required autofocus value="${username}">
  <label for="password">รหัสผ่าน</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">เข้าสู่ระบบ</button>
</form>`,
  );
}

export function loginRoutes({ config }: RouteContext): DeskRoute[] {
  return [
    route({
      method: 'GET',
      url: '/login',
      auth: 'public',
      page: true,
      schema: { hide: true, querystring: z.object({ next: z.string().max(2000).optional() }) },
      async handler(request) {
        return loginPage(config.agency.name, safeNext(request.query.next));
      },
    }),
  ];
}
