import type { FastifyReply, FastifyRequest } from 'fastify';
import { html } from './html';
import { publicPage } from './layout';

const TITLES: Record<number, string> = {
  400: 'คำขอไม่ถูกต้อง',
  403: 'ไม่มีสิทธิ์',
  404: 'ไม่พบหน้านี้',
  409: 'ทำรายการนี้ไม่ได้ในขณะนี้',
  429: 'มีคำขอบ่อยเกินไป',
};

/** Where a browser that is not signed in goes: the sign-in page, then back to what it asked for. */
export function toSignIn(request: FastifyRequest, reply: FastifyReply) {
  const next = request.method === 'GET' ? request.url : '/';
  return reply.redirect(next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`, 303);
}

/** A refusal or failure as a page: the status, what went wrong in the words of its message, a way back. */
export function sendErrorPage(reply: FastifyReply, status: number, message: string) {
  const title = TITLES[status] ?? (status >= 500 ? 'ระบบขัดข้อง' : 'ทำรายการไม่สำเร็จ');
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(
      publicPage(
        title,
        html`<h1>${title}</h1>
<p class="banner error" role="alert">${message}</p>
<p><a href="/">กลับไปที่คิวงาน</a></p>`,
      ).markup,
    );
}

/** Whether a request came from a browser's page (a form or a link) rather than a script. */
export function fromBrowser(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept.includes('text/html');
}
