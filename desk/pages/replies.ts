import { z } from 'zod';
import { listReplies } from '../../registry/replies';
import { releaseHeldReplies, replyItem, REPLIES_ACCESS } from '../api/replies';
import { route, type DeskRoute, type RouteContext } from '../api/route';
import { DeskError } from '../errors';
import type { DeskFormat } from './format';
import { pageContext } from './context';
import { html, type Html } from './html';
import { banner, csrfField, page, type PageContext } from './layout';

// The replies the reply windows held back (for the sender's digest), grouped by sender, with
// forms to send one now or every one held for a sender: `saraban replies list --held` and
// `saraban replies release` at the desk (desk/api/replies.ts, the same registry functions).

/** Held replies listed, newest first. */
const LIMIT = 500;

type Item = ReturnType<typeof replyItem>;

const TIERS: Record<string, string> = {
  trusted: 'ที่เชื่อถือได้',
  authenticated: 'ที่ยืนยันตัวตนได้',
  unverified: 'ที่ยืนยันตัวตนไม่ได้',
};

const NOTICES: Record<string, string> = {
  'no-letter-attached': 'ไม่พบหนังสือแนบ',
  'top-secret': 'หนังสือชั้นลับที่สุด',
  duplicate: 'ลงทะเบียนไว้แล้ว',
  'unreadable-letter': 'เปิดไฟล์หนังสือไม่ได้',
  returned: 'ส่งคืนหนังสือ',
};

function span(f: DeskFormat, minutes: number): string {
  if (minutes % 1440 === 0) return `${f.digits(minutes / 1440)} วัน`;
  if (minutes % 60 === 0) return `${f.digits(minutes / 60)} ชั่วโมง`;
  return `${f.digits(minutes)} นาที`;
}

/** Why a reply was held (plan_reply's withheld, registry/sql/000010.sql) in Thai; as written when it has no Thai. */
export function withheldText(f: DeskFormat, withheld: string | null): string {
  if (!withheld) return '—';
  const window = /^window: (\d+) replies in (\d+) minutes to a sender (\w+)$/.exec(withheld);
  if (window) {
    return `ผู้ส่ง${TIERS[window[3]] ?? window[3]}ได้รับตอบรับครบ ${f.digits(window[1])} ฉบับภายใน ${span(f, Number(window[2]))} แล้ว`;
  }
  const ceiling = /^all senders: (\d+) replies this hour$/.exec(withheld);
  if (ceiling) return `ชั่วโมงนี้ระบบส่งตอบรับถึงผู้ส่งทุกรายครบ ${f.digits(ceiling[1])} ฉบับแล้ว`;
  if (withheld.startsWith('loop:')) return `ระงับไว้เพราะอาจเป็นการตอบโต้กันไปมาไม่รู้จบ (${withheld})`;
  return withheld;
}

function releaseOne(ctx: PageContext, r: Item): Html {
  return html`<form method="post" action="/replies/release">${csrfField(ctx)}<input type="hidden" name="id" value="${r.id}"><button type="submit">ส่งฉบับนี้ทันที<span class="visually-hidden"> (รายการที่ ${ctx.format.digits(r.id)})</span></button></form>`;
}

function senderTable(ctx: PageContext, replies: readonly Item[]): Html {
  const f = ctx.format;
  const rows = replies.map((r) => {
    const what = r.kind === 'notice' ? `หนังสือแจ้ง: ${NOTICES[r.reason ?? ''] ?? r.reason}` : 'ตอบรับ แจ้งเลขรับ';
    const letter = r.letter
      ? html`<a href="/letters/${r.letter.id}">${r.letter.book} ${f.digits(r.letter.number)}/${f.digits(r.letter.year)}</a>`
      : r.restricted
        ? 'หนังสือลับ'
        : 'ไม่ได้ลงทะเบียน';
    return html`<tr>
  <td data-label="รายการ">${f.digits(r.id)}</td>
  <td data-label="ชนิด">${what}</td>
  <td class="num" data-label="หนังสือ">${letter}</td>
  <td data-label="เหตุที่กันไว้">${withheldText(f, r.withheld)}</td>
  <td data-label="กันไว้ตั้งแต่">${f.shortDateTime(r.createdAt)}</td>
  <td data-label="สรุปรวม">${r.digestId !== null ? `อยู่ในสรุปรวมฉบับที่ ${f.digits(r.digestId)}` : 'รอส่งในสรุปรวมรอบถัดไป'}</td>
  <td data-label="ส่งทันที">${releaseOne(ctx, r)}</td>
</tr>`;
  });
  return html`<div class="table-wrap"><table class="letters">
<thead><tr><th scope="col">รายการ</th><th scope="col">ชนิด</th><th scope="col">หนังสือ</th><th scope="col">เหตุที่กันไว้</th><th scope="col">กันไว้ตั้งแต่</th><th scope="col">สรุปรวม</th><th scope="col">ส่งทันที</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`;
}

const DONE: Record<string, string> = {
  released: 'ส่งตอบรับที่กันไว้แล้ว',
  'released-later': 'ปล่อยตอบรับที่กันไว้แล้ว ระบบจะส่งภายในรอบตรวจถัดไป',
};

export function repliesPage(ctx: PageContext, replies: readonly Item[], said: { done?: string; count?: number; error?: string } = {}): Html {
  const f = ctx.format;
  const bySender = new Map<string, Item[]>();
  for (const r of replies) {
    const key = r.recipient.toLowerCase();
    bySender.set(key, [...(bySender.get(key) ?? []), r]);
  }
  const done = said.done ? `${DONE[said.done]}${said.count ? ` ${f.digits(said.count)} ฉบับ` : ''}` : null;
  const groups = [...bySender.values()].map(
    (held, i) => html`<section aria-labelledby="sender-${i}">
<h2 id="sender-${i}">${held[0].recipient} <small>(${f.digits(held.length)} ฉบับ)</small></h2>
<form method="post" action="/replies/release" data-confirm="${`ส่งตอบรับทั้ง ${f.digits(held.length)} ฉบับที่กันไว้ถึง ${held[0].recipient} ทันทีหรือไม่`}">
  ${csrfField(ctx)}<input type="hidden" name="sender" value="${held[0].recipient}">
  <button type="submit" class="secondary">ส่งทั้งหมดถึงผู้ส่งรายนี้ทันที</button>
</form>
${senderTable(ctx, held)}
</section>`,
  );
  return page(
    ctx,
    'ตอบรับที่รอส่ง',
    html`${banner('done', done)}${banner('error', said.error)}
<p>ตอบรับและหนังสือแจ้งที่ระบบกันไว้ไม่ส่งทันที เพราะผู้ส่งรายนั้นได้รับตอบรับครบจำนวนที่กำหนดในช่วงเวลาแล้ว ระบบจะส่งสรุปรวม (ได้รับหนังสือแล้ว N ฉบับ) แทน
ส่งฉบับใดทันทีได้จากรายการนี้ แต่ละฉบับส่งได้ครั้งเดียว</p>
${replies.length ? html`<p class="count-line">${f.digits(replies.length)} ฉบับ จากผู้ส่ง ${f.digits(bySender.size)} ราย${replies.length >= LIMIT ? ' (แสดงเฉพาะรายการล่าสุด)' : ''}</p>${groups}` : html`<p>ไม่มีตอบรับที่กันไว้</p>`}`,
  );
}

const ReleaseForm = z.strictObject({
  _csrf: z.string().optional(),
  id: z.coerce.number().int().positive().optional(),
  sender: z.string().trim().min(1).max(320).optional(),
});

export function repliesRoutes(ctx: RouteContext): DeskRoute[] {
  const held = async (officer: Parameters<typeof replyItem>[1]) =>
    (await listReplies(ctx.pool, { held: true, limit: LIMIT })).map((r) => replyItem(r, officer));
  return [
    route({
      method: 'GET',
      url: '/replies',
      auth: REPLIES_ACCESS,
      page: true,
      schema: {
        hide: true,
        querystring: z.object({
          done: z.enum(['released', 'released-later']).optional(),
          n: z.coerce.number().int().min(0).max(100_000).optional(),
        }),
      },
      async handler(request) {
        return repliesPage(pageContext(ctx, request), await held(request.officer), { done: request.query.done, count: request.query.n });
      },
    }),
    route({
      method: 'POST',
      url: '/replies/release',
      auth: REPLIES_ACCESS,
      page: true,
      schema: { hide: true, body: ReleaseForm },
      async handler(request, reply) {
        const { id, sender } = request.body;
        try {
          if ((id === undefined) === (sender === undefined)) {
            throw new DeskError(400, 'invalid', 'เลือกตอบรับหนึ่งฉบับ หรือผู้ส่งหนึ่งราย (give a reply id or a sender, not both)');
          }
          const { released, queued } = await releaseHeldReplies(ctx, request.officer, id !== undefined ? { id } : { sender: sender! });
          return reply.redirect(`/replies?done=${queued ? 'released' : 'released-later'}&n=${released.length}`, 303);
        } catch (err) {
          if (!(err instanceof DeskError)) throw err;
          reply.code(err.statusCode);
          return repliesPage(pageContext(ctx, request), await held(request.officer), { error: err.message });
        }
      },
    }),
  ];
}
