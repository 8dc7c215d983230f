import { STATE_NAMES } from '../../letter/transitions';
import { listHeldAndSuspect, type HeldMessage, type SuspectLetter } from '../../registry/queue';
import { route, type DeskRoute, type RouteContext } from '../api/route';
import { pageContext } from './context';
import { html, type Html } from './html';
import { page, type PageContext } from './layout';

// The supervisor's page of what the gateway kept out of the ordinary queue: ลับที่สุด messages
// held and not registered, and letters registered as suspect, each with what was decided and
// why, in Thai. The same list as GET /api/held (registry/queue.ts listHeldAndSuspect), so the
// held messages only for those named for secret mail.

/** Messages and letters listed, newest first. */
const LIMIT = 200;

const VERDICTS: Record<string, string> = {
  authentic: 'ยืนยันผู้ส่งได้',
  forged: 'ตรวจพบว่าผู้ส่งถูกปลอม',
  unverified: 'ยืนยันผู้ส่งไม่ได้',
};

/** The English reasons of letter/authenticity.ts verdictOf, as an officer reads them. */
const VERDICT_REASONS: Record<string, string> = {
  'dmarc=fail': 'โดเมนของผู้ส่งกำหนดนโยบาย DMARC ไว้ และข้อความนี้ไม่ผ่าน',
  'spf=fail and no aligned dkim=pass': 'เครื่องที่ส่งมาไม่ใช่เครื่องที่โดเมนของผู้ส่งอนุญาต (SPF) และไม่มีลายมือชื่อ DKIM ของโดเมนนั้น',
  'dmarc=pass': 'ผ่านการตรวจ DMARC',
  'aligned dkim=pass': 'มีลายมือชื่อ DKIM ของโดเมนผู้ส่ง',
  'aligned spf=pass': 'ส่งจากเครื่องที่โดเมนของผู้ส่งอนุญาต (SPF)',
  'dns temperror': 'สอบถาม DNS ไม่สำเร็จในขณะนั้น',
  'no policy published': 'โดเมนของผู้ส่งไม่ได้กำหนดนโยบาย DMARC',
  'no authentication results': 'ไม่มีผลการตรวจสอบผู้ส่ง',
};

const NOTICE_STATUS: Record<string, string> = {
  sent: 'ส่งหนังสือแจ้งผู้ส่งแล้ว',
  pending: 'กำลังส่งหนังสือแจ้งผู้ส่ง',
  failed: 'ส่งหนังสือแจ้งผู้ส่งไม่สำเร็จ',
  held: 'หนังสือแจ้งถูกกันไว้ รอส่งในสรุปรวม',
  suppressed: 'ไม่ส่งหนังสือแจ้ง (ระงับไว้)',
};

/** Why a message was held, in Thai; the code itself when there is no Thai for it. */
function heldBecause(reason: unknown): string {
  return reason === 'top-secret'
    ? 'หนังสือชั้นลับที่สุด ห้ามรับส่งทางไปรษณีย์อิเล็กทรอนิกส์ จึงกันไว้ให้หัวหน้าโดยไม่ลงทะเบียนรับ'
    : `กันไว้ (${String(reason)})`;
}

/** The verdict, why, and the evidence (SPF, DKIM, DMARC) as the check recorded it. */
export function authenticityText(ctx: PageContext, authenticity: Record<string, unknown> | null | undefined): Html {
  if (!authenticity) return html`ไม่มีผลการตรวจสอบผู้ส่ง`;
  const verdict = String(authenticity.verdict ?? '');
  const reason = String(authenticity.reason ?? '');
  const dkim = Array.isArray(authenticity.dkim) ? (authenticity.dkim as Array<{ domain?: string; result?: string }>) : [];
  const evidence = [
    authenticity.spf ? `SPF ${String(authenticity.spf)}${authenticity.spfDomain ? ` (${String(authenticity.spfDomain)})` : ''}` : null,
    ...dkim.map((d) => `DKIM ${d.result ?? '?'} (${d.domain ?? '?'})`),
    authenticity.dmarc ? `DMARC ${String(authenticity.dmarc)}` : null,
  ].filter((e): e is string => e !== null);
  return html`<strong>${VERDICTS[verdict] ?? verdict}</strong>${reason ? html`: ${VERDICT_REASONS[reason] ?? reason} <small>(${reason})</small>` : ''}${
    evidence.length ? html`<br><small>ผลการตรวจ: ${ctx.format.digits(evidence.join(', '))}</small>` : ''
  }`;
}

function heldTable(ctx: PageContext, held: readonly HeldMessage[]): Html {
  const f = ctx.format;
  const rows = held.map((m) => {
    const d = m.decision;
    const subject = typeof d.subject === 'string' && d.subject !== '' ? d.subject : '(ไม่มีชื่อเรื่อง)';
    const from = typeof d.from === 'string' ? d.from : m.mailFrom;
    return html`<tr>
  <td data-label="วันเวลารับ">${f.shortDateTime(m.receivedAt)}</td>
  <td data-label="ผู้ส่ง">${from ?? '—'}</td>
  <td class="title" data-label="เรื่อง">${subject}</td>
  <td data-label="สิ่งที่ระบบทำ">กันไว้ ไม่ลงทะเบียนรับ</td>
  <td data-label="เหตุผล">${heldBecause(d.reason)}${
    d.authenticity ? html`<br><small>ผู้ส่ง: </small>${authenticityText(ctx, d.authenticity as Record<string, unknown>)}` : ''
  }</td>
  <td data-label="แจ้งผู้ส่ง">${m.noticeStatus ? (NOTICE_STATUS[m.noticeStatus] ?? m.noticeStatus) : 'ไม่ได้แจ้งผู้ส่ง'}</td>
</tr>`;
  });
  return html`<div class="table-wrap"><table class="letters">
<thead><tr><th scope="col">วันเวลารับ</th><th scope="col">ผู้ส่ง</th><th scope="col">เรื่อง</th><th scope="col">สิ่งที่ระบบทำ</th><th scope="col">เหตุผล</th><th scope="col">แจ้งผู้ส่ง</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`;
}

function suspectTable(ctx: PageContext, suspect: readonly SuspectLetter[]): Html {
  const f = ctx.format;
  const rows = suspect.map(
    (l) => html`<tr>
  <td class="num" data-label="เลขรับ"><a href="/letters/${l.id}">${l.book} ${f.digits(l.number)}/${f.digits(l.year)}</a></td>
  <td data-label="วันเวลารับ">${f.shortDateTime(l.registeredAt)}</td>
  <td class="title" data-label="เรื่อง"><a href="/letters/${l.id}">${l.subject}</a></td>
  <td data-label="ผู้ส่ง">${l.fromAddress ?? '—'}</td>
  <td data-label="สิ่งที่ระบบทำ">ลงทะเบียนรับไว้ แต่ไม่ส่งตอบรับ</td>
  <td data-label="เหตุผล">${authenticityText(ctx, l.authenticity)}</td>
  <td data-label="สถานะ"><span class="state ${l.state}">${STATE_NAMES[l.state]}</span></td>
</tr>`,
  );
  return html`<div class="table-wrap"><table class="letters">
<thead><tr><th scope="col">เลขรับ</th><th scope="col">วันเวลารับ</th><th scope="col">เรื่อง</th><th scope="col">ผู้ส่ง</th><th scope="col">สิ่งที่ระบบทำ</th><th scope="col">เหตุผล</th><th scope="col">สถานะ</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`;
}

export function heldPage(ctx: PageContext, found: { held: HeldMessage[]; suspect: SuspectLetter[] }): Html {
  const f = ctx.format;
  const held = !ctx.officer.secretClearance
    ? html`<p>รายการนี้แสดงเฉพาะผู้ที่ได้รับมอบหมายให้รับหนังสือลับ (เพราะแม้แต่ชื่อเรื่องก็อาจเป็นความลับ)</p>`
    : found.held.length
      ? html`<p class="count-line">${f.digits(found.held.length)} รายการ</p>${heldTable(ctx, found.held)}`
      : html`<p>ไม่มีหนังสือลับที่สุดที่กันไว้</p>`;
  return page(
    ctx,
    'หนังสือที่กันไว้',
    html`<section aria-labelledby="held-heading">
<h2 id="held-heading">หนังสือลับที่สุดที่กันไว้ ไม่ได้ลงทะเบียนรับ</h2>
${held}
</section>
<section aria-labelledby="suspect-heading">
<h2 id="suspect-heading">หนังสือที่ผู้ส่งน่าสงสัย</h2>
<p>ลงทะเบียนรับไว้แล้ว แต่ระบบไม่ส่งตอบรับไปยังผู้ส่ง เพราะผลการตรวจสอบแสดงว่าผู้ส่งอาจถูกปลอม กรุณาตรวจสอบกับหน่วยงานผู้ส่งทางช่องทางอื่นก่อนดำเนินการ</p>
${found.suspect.length ? html`<p class="count-line">${f.digits(found.suspect.length)} รายการ</p>${suspectTable(ctx, found.suspect)}` : html`<p>ไม่มีหนังสือที่ผู้ส่งน่าสงสัย</p>`}
</section>`,
  );
}

export function heldRoutes(ctx: RouteContext): DeskRoute[] {
  return [
    route({
      method: 'GET',
      url: '/held',
      auth: 'supervisor',
      page: true,
      schema: { hide: true },
      async handler(request) {
        const found = await listHeldAndSuspect(ctx.pool, request.officer, LIMIT);
        return heldPage(pageContext(ctx, request), found);
      },
    }),
  ];
}
