import { z } from 'zod';
import { standingsOf, type Officer } from '../../letter/access';
import type { AuthResult } from '../../letter/authenticity';
import { bangkokDate } from '../../letter/calendar';
import { TO_COMPLETE, type AttachmentReceived } from '../../letter/letter';
import { stampReasonText } from '../../letter/stamp';
import { movesOpen, type ActionKind } from '../../letter/transitions';
import { listDirectory } from '../../registry/officers';
import { findLetterDetail, type AssignmentRecord, type LetterDetail, type Receipt } from '../../registry/queue';
import { LetterId, letterActions, notFound } from '../api/letters';
import { route, type DeskRoute, type RouteContext } from '../api/route';
import { DeskError } from '../errors';
import { actionForms, ActionForm, actionFromForm, DONE, holdsOpenCopy, type Offer } from './actions';
import { pageContext } from './context';
import { historyList } from './history';
import { html, type Fragment, type Html } from './html';
import { banner, page, type PageContext } from './layout';
import { namesOf, type Names } from './names';

// A letter's page (GET /letters/:id): the register's fields, who holds it, whether its sender
// is who they say, what the sender was sent, its files with the first PDF shown beside, its
// history, and the forms of the actions the officer may take. The letter is found through the
// officer's view (registry/queue.ts findLetterDetail, as GET /api/letters/:id): one they may
// not see is a 404 page, whether or not it exists.

/** Everything the page is drawn from. */
interface LetterView {
  detail: LetterDetail;
  names: Names;
  offer: Offer;
  /** The register's book as the settings name it. */
  bookName: string;
}

/** What a page's banner says: an action done, or why it was refused. */
type Notice = { kind: 'done' | 'error'; text: string } | null;

// ---- Words ----

const VERDICTS: Record<AuthResult['verdict'], { label: string; meaning: string }> = {
  authentic: { label: 'ตรวจสอบแล้ว', meaning: 'ผู้ส่งเป็นเจ้าของโดเมนอีเมลที่ระบุจริง' },
  forged: { label: 'ไม่ผ่าน', meaning: 'ผู้ส่งอาจถูกปลอม: โดเมนของผู้ส่งไม่รับรองข้อความนี้' },
  unverified: { label: 'ตรวจสอบไม่ได้', meaning: 'ไม่มีข้อมูลพอจะยืนยันหรือปฏิเสธผู้ส่ง' },
};

/** Why the verdict is what it is (letter/authenticity.ts verdictOf's reasons). */
const REASONS: Record<string, string> = {
  'dmarc=fail': 'DMARC ไม่ผ่าน',
  'dmarc=pass': 'DMARC ผ่าน',
  'spf=fail and no aligned dkim=pass': 'SPF ไม่ผ่าน และไม่มีลายเซ็น DKIM ของโดเมนผู้ส่ง',
  'aligned dkim=pass': 'ลายเซ็น DKIM ของโดเมนผู้ส่งถูกต้อง',
  'aligned spf=pass': 'SPF ของโดเมนผู้ส่งผ่าน',
  'dns temperror': 'ระบบ DNS ขัดข้องชั่วคราวขณะตรวจ',
  'no policy published': 'โดเมนผู้ส่งไม่ได้ประกาศนโยบาย DMARC',
  'no authentication results': 'ไม่มีผลการตรวจสอบ',
  'no dmarc result': 'ไม่มีผล DMARC',
  'no trusted Authentication-Results': 'ไม่มีผลตรวจจากเซิร์ฟเวอร์อีเมลที่เชื่อถือได้',
  'no trusted authserv-id configured': 'ยังไม่ได้ตั้งค่าเซิร์ฟเวอร์อีเมลที่เชื่อถือได้',
};

/**
 * The verdict's reason in Thai: one of REASONS, or the mailbox server's DMARC having judged
 * another From than the one shown (letter/authenticity.ts fromAuthenticationResults); else as it is.
 */
export function reasonInThai(reason: string): string {
  const fixed = REASONS[reason];
  if (fixed) return fixed;
  const other = /^dmarc=(\w+) (?:for|judged) (?:header\.from=(\S+)|no header\.from), not the From shown \((.*)\)$/.exec(reason);
  if (!other) return reason;
  const [, result, judged, shown] = other;
  const dmarc = `ผล DMARC ของเซิร์ฟเวอร์อีเมล (${RESULTS[result] ?? result})`;
  if (!judged) return `${dmarc} ไม่ระบุว่าตรวจโดเมนใด จึงยืนยันผู้ส่งที่แสดงไม่ได้`;
  return `${dmarc} เป็นของโดเมน ${judged} ${shown === 'none' ? 'แต่ไม่มีที่อยู่ผู้ส่งที่แสดง' : `ไม่ใช่โดเมนของผู้ส่งที่แสดง (${shown})`}`;
}

const RESULTS: Record<string, string> = {
  pass: 'ผ่าน',
  fail: 'ไม่ผ่าน',
  softfail: 'ไม่ผ่าน (อย่างอ่อน)',
  neutral: 'ไม่ระบุ',
  none: 'ไม่มีข้อมูล',
  policy: 'ตามนโยบาย',
  temperror: 'ขัดข้องชั่วคราว',
  permerror: 'ตั้งค่าผิดพลาด',
};

const SOURCES: Record<AuthResult['source'], string> = {
  smtp: 'ตรวจขณะรับทาง SMTP',
  'authentication-results': 'ผลตรวจของเซิร์ฟเวอร์อีเมล',
  none: 'ไม่มีผลตรวจที่เชื่อถือได้',
};

const FLAGS: Record<string, string> = {
  'pdf-encrypted': 'ไฟล์ PDF ถูกเข้ารหัส เปิดอ่านไม่ได้',
  'pdf-unreadable': 'อ่านหน้าแรกของไฟล์ PDF ไม่ได้',
  'pdf-no-text-layer': 'ไฟล์ PDF เป็นภาพสแกน ไม่มีข้อความให้อ่าน: ตรวจรายละเอียดจากตัวหนังสือ',
  'pdf-reader-failed': 'ตัวอ่าน PDF ขัดข้อง',
  'unparseable-message': 'อ่านข้อความอีเมลไม่ได้: รายละเอียดได้จากซองจดหมายเท่านั้น',
  'unreadable-forwarded-message': 'อ่านหนังสือที่ส่งต่อมาไม่ได้: ใช้ข้อความที่ส่งต่อแทน',
  'metadata-unreadable': 'อ่านรายละเอียดของหนังสือบางส่วนไม่ได้',
  [TO_COMPLETE]: 'อ่านเลขที่หรือวันที่ของหนังสือไม่ได้: รอเจ้าหน้าที่ลงรายละเอียด',
};

const AGENCY_SOURCES: Record<string, string> = {
  'display-name': 'ชื่อผู้ส่งได้จากชื่อที่แสดงในอีเมล ไม่พบในทะเบียนหน่วยงาน',
  domain: 'ชื่อผู้ส่งได้จากโดเมนอีเมล ไม่พบในทะเบียนหน่วยงาน',
  unknown: 'ไม่ทราบหน่วยงานผู้ส่ง',
};

const ENDED: Record<string, string> = {
  taken: 'มีผู้รับเรื่องแล้ว',
  forwarded: 'ส่งต่อแล้ว',
  done: 'เสร็จ',
  returned: 'ส่งคืน',
  annulled: 'ยกเลิก',
  acknowledged: 'รับทราบแล้ว',
};

const NOTICES: Record<string, string> = {
  returned: 'หนังสือแจ้งการส่งคืน',
  'unreadable-letter': 'หนังสือแจ้งว่าเปิดไฟล์หนังสือไม่ได้',
  duplicate: 'หนังสือแจ้งว่าได้รับซ้ำ',
};

function receiptStatus(r: Receipt): string {
  switch (r.status) {
    case 'sent':
      return r.kind === 'acknowledgement' ? 'ตอบรับแล้ว' : 'ส่งแล้ว';
    case 'pending':
      return 'รอส่ง';
    case 'failed':
      return 'ส่งไม่สำเร็จ';
    case 'held':
      return 'กันไว้';
    case 'suppressed':
      return 'ไม่ส่ง';
    case 'bounced':
      return 'ตีกลับ';
  }
}

/** Why a reply was held back or not sent (registry/sql/000010.sql plan_reply's words), in Thai. */
function withheldWhy(withheld: string): string {
  if (withheld.startsWith('window:')) return 'ส่งถึงผู้ส่งรายนี้ถี่เกินกำหนด จึงกันไว้รวมส่งในหนังสือสรุป';
  if (withheld.startsWith('loop:')) return 'อาจเป็นการตอบโต้อัตโนมัติวนซ้ำ จึงไม่ส่ง';
  if (withheld.startsWith('all senders:')) return 'ส่งรวมทุกผู้ส่งเกินกำหนดต่อชั่วโมง';
  return 'ผู้ส่งขอไม่รับการตอบกลับ หรือระบบระงับไว้';
}

// ---- Sections ----

const orDash = (v: Fragment) => (v === null || v === undefined || v === '' ? '—' : v);

function fields(ctx: PageContext, detail: LetterDetail, bookName: string): Html {
  const f = ctx.format;
  const l = detail.letter;
  const letterDate = l.letterDate ? f.date(l.letterDate) : l.letterDateWritten ? f.digits(l.letterDateWritten) : null;
  const deadline = detail.deadline
    ? ` ภายใน${f.dateTime(detail.deadline)}`
    : l.urgencyDeadline
      ? ` ภายใน ${f.date(l.urgencyDeadline.slice(0, 10))}`
      : '';
  const from = [l.fromName, l.fromAddress && `<${l.fromAddress}>`].filter(Boolean).join(' ');
  const forwarded = l.forwardedBy as { address?: string | null; name?: string | null } | null;
  return html`<dl class="fields">
  <dt>เลขทะเบียนรับ</dt><dd class="num">${f.digits(`${l.number}/${l.year}`)}</dd>
  <dt>ทะเบียน</dt><dd>${bookName} ปี พ.ศ. ${f.digits(l.year)}</dd>
  <dt>วันเวลารับ</dt><dd>${f.dateTime(l.registeredAt)}</dd>
  <dt>ที่</dt><dd>${orDash(l.reference && f.digits(l.reference))}</dd>
  <dt>ลงวันที่</dt><dd>${orDash(letterDate)}</dd>
  <dt>จาก</dt><dd>${orDash(l.agency)}${from ? html`<br><small>${from}</small>` : ''}</dd>
  <dt>ถึง / เรียน</dt><dd>${orDash(l.addressee)}</dd>
  <dt>เรื่อง</dt><dd>${orDash(l.title)}${l.titleGuessed ? html` <small>(จากหัวข้ออีเมล ควรตรวจกับตัวหนังสือ)</small>` : ''}</dd>
  ${l.title !== l.subject ? html`<dt>หัวข้ออีเมล</dt><dd>${l.subject}</dd>` : ''}
  <dt>ชั้นความเร็ว</dt><dd>${l.urgency ? html`<span class="tag urgency">${l.urgency}</span>${deadline}` : 'ปกติ'}</dd>
  <dt>ชั้นความลับ</dt><dd>${l.secrecy ? html`<span class="tag secret">${l.secrecy}</span>` : 'ปกติ'}</dd>
  <dt>หนังสือเวียน</dt><dd>${l.circular ? 'ใช่' : 'ไม่ใช่'}</dd>
  ${forwarded ? html`<dt>ส่งต่อมาโดย</dt><dd>${[forwarded.name, forwarded.address].filter(Boolean).join(' ') || '—'}</dd>` : ''}
</dl>`;
}

/** What an officer should know before trusting the letter: its problems and flags. */
function problems(detail: LetterDetail): Html | '' {
  const l = detail.letter;
  const lines: string[] = [
    ...(l.suspect ? ['น่าสงสัย: ผู้ส่งอาจถูกปลอม จึงไม่ได้ส่งหนังสือตอบรับ'] : []),
    ...l.flags.map((flag) => FLAGS[flag] ?? flag),
    ...(l.agencySource && AGENCY_SOURCES[l.agencySource] ? [AGENCY_SOURCES[l.agencySource]] : []),
  ];
  return lines.length ? html`<ul class="problems">${lines.map((line) => html`<li>${line}</li>`)}</ul>` : '';
}

function authenticity(detail: LetterDetail): Html {
  const a = detail.letter.authenticity as Partial<AuthResult> | null;
  if (!a?.verdict) return html`<p>ไม่มีผลการตรวจสอบผู้ส่ง</p>`;
  const verdict = VERDICTS[a.verdict];
  const result = (r: string | null | undefined) => (r ? (RESULTS[r] ?? r) : 'ไม่ได้ตรวจ');
  const dkim = a.dkim?.length
    ? a.dkim.map((d) => html`<span class="sig">${d.domain}: ${result(d.result)}${d.aligned ? ' (โดเมนเดียวกับผู้ส่ง)' : ''}</span> `)
    : 'ไม่มีลายเซ็น';
  return html`<p class="verdict ${a.verdict}"><strong>${verdict.label}</strong>: ${verdict.meaning}</p>
<dl class="fields evidence">
  <dt>เหตุผล</dt><dd>${a.reason ? reasonInThai(a.reason) : '—'}</dd>
  <dt>SPF</dt><dd>${result(a.spf)}${a.spfDomain ? html` <small>(${a.spfDomain})</small>` : ''}</dd>
  <dt>DKIM</dt><dd>${dkim}</dd>
  <dt>DMARC</dt><dd>${result(a.dmarc)}${a.fromDomain ? html` <small>(${a.fromDomain})</small>` : ''}</dd>
  ${a.arc ? html`<dt>ARC</dt><dd>${result(a.arc)}</dd>` : ''}
  <dt>ที่มาของผล</dt><dd>${a.source ? SOURCES[a.source] : '—'}</dd>
</dl>`;
}

function holderName(a: Pick<AssignmentRecord, 'unit' | 'officer'>): string {
  if (a.officer) return a.unit ? `${a.officer.name} (${a.unit.name})` : a.officer.name;
  return a.unit?.name ?? '—';
}

/** A table: its column heads, then its rows. */
function table(kind: string, heads: readonly string[], rows: readonly Html[], caption?: string): Html {
  return html`<div class="table-wrap"><table class="${kind}">
${caption ? html`<caption class="visually-hidden">${caption}</caption>` : ''}
<thead><tr>${heads.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${rows}</tbody>
</table></div>`;
}

function holders(ctx: PageContext, detail: LetterDetail): Html {
  const f = ctx.format;
  const current = detail.assignments.find((a) => a.purpose === 'act' && a.endedAt === null);
  const rows = detail.assignments.map((a) => {
    const by =
      a.source === 'routing'
        ? a.rule
          ? `ระบบ ตามกฎ “${a.rule}”`
          : 'ระบบ (ไม่ตรงกฎใด: หน่วยงานกลาง)'
        : (a.assignedBy?.name ?? '—');
    const ended = a.endedAt
      ? html`${ENDED[a.endedHow ?? ''] ?? a.endedHow ?? ''} ${f.shortDateTime(a.endedAt)}${a.endedBy ? ` โดย ${a.endedBy.name}` : ''}`
      : html`<strong>ปัจจุบัน</strong>`;
    return html`<tr${a.endedAt ? '' : html` class="open"`}>
  <td>${holderName(a)}</td>
  <td>${a.purpose === 'act' ? 'เพื่อดำเนินการ' : 'เพื่อทราบ'}</td>
  <td>${by}${a.note ? html`<br><small>${a.note}</small>` : ''}</td>
  <td>${f.shortDateTime(a.createdAt)}</td>
  <td>${ended}</td>
</tr>`;
  });
  return html`<dl class="fields">
  <dt>สถานะ</dt><dd><span class="state ${detail.state}">${detail.stateName}</span>${detail.waitUntil ? ` ถึง ${f.date(detail.waitUntil)}` : ''}</dd>
  <dt>ผู้รับผิดชอบ</dt><dd>${current ? holderName(current) : '—'}</dd>
</dl>
${
  rows.length
    ? table('assignments', ['ผู้รับ', 'เพื่อ', 'มอบโดย', 'เมื่อ', 'สิ้นสุด'], rows, 'การมอบหมาย ทั้งปัจจุบันและที่ผ่านมา')
    : html`<p>ยังไม่ได้มอบหมาย</p>`
}`;
}

function receipts(ctx: PageContext, detail: LetterDetail): Html {
  const f = ctx.format;
  if (!detail.receipts.length) {
    return html`<p>${detail.letter.suspect ? 'ไม่ได้ส่งหนังสือตอบรับ เพราะผู้ส่งอาจถูกปลอม' : 'ยังไม่มีการตอบรับถึงผู้ส่ง'}</p>`;
  }
  const rows = detail.receipts.map((r) => {
    const why =
      r.status === 'held' || r.status === 'suppressed'
        ? r.withheld && html`${withheldWhy(r.withheld)}<br><small lang="en">${r.withheld}</small>`
        : (r.status === 'failed' || r.status === 'bounced') && r.lastError
          ? html`<small lang="en">${r.lastError}</small>`
          : '';
    return html`<tr>
  <td>${r.kind === 'acknowledgement' ? 'หนังสือตอบรับ' : (NOTICES[r.reason ?? ''] ?? 'หนังสือแจ้ง')}</td>
  <td>${r.recipient}</td>
  <td><span class="receipt ${r.status}">${receiptStatus(r)}</span></td>
  <td>${f.shortDateTime(r.sentAt ?? r.createdAt)}${r.attempts > 1 ? html`<br><small>ส่ง ${f.digits(r.attempts)} ครั้ง</small>` : ''}</td>
  <td>${why}</td>
</tr>`;
  });
  return table('receipts', ['ฉบับ', 'ถึง', 'สถานะ', 'เมื่อ', 'เหตุผล'], rows);
}

const isPdf = (a: AttachmentReceived) => a.contentType.toLowerCase() === 'application/pdf';

function size(ctx: PageContext, bytes: number): string {
  const f = ctx.format;
  if (bytes >= 1024 * 1024) return f.digits(`${(bytes / 1024 / 1024).toFixed(1)} MB`);
  if (bytes >= 1024) return f.digits(`${Math.round(bytes / 1024)} KB`);
  return f.digits(`${bytes} ไบต์`);
}

function files(ctx: PageContext, detail: LetterDetail): Html {
  const id = detail.letter.id;
  const items = detail.letter.attachments.map(
    (a, i) =>
      html`<li><a href="/api/letters/${id}/attachments/${i + 1}">${a.filename}</a> <small>(${a.contentType}, ${size(ctx, a.size)})</small></li>`,
  );
  return html`${items.length ? html`<ul class="files">${items}</ul>` : html`<p>ไม่มีไฟล์แนบ</p>`}
<p><a href="/api/letters/${id}/original">ดาวน์โหลดอีเมลต้นฉบับ (.eml)</a></p>`;
}

/** A PDF framed at the frame's width without the viewer's page thumbnails, which would take half of it. */
const framed = (url: string, title: string) => html`<iframe class="pdf" src="${url}#navpanes=0&amp;view=FitH" title="${title}"></iframe>`;

/**
 * The letter as the office reads it: the stamped copy (ตรารับ on page 1) when there is one, with
 * the original beside it to open; else the first PDF as it came, and why it has no stamp when it
 * could not be stamped. Shown inline: the API serves PDFs inline, and the CSP lets the desk frame itself.
 */
function pdfView(detail: LetterDetail): Html {
  const { id, attachments } = detail.letter;
  const { stamp } = detail;
  const original = stamp?.attachment ? attachments[stamp.attachment - 1] : undefined;
  if (stamp?.state === 'stamped' && original) {
    const url = `/api/letters/${id}/stamped`;
    return html`${framed(url, `ตัวหนังสือพร้อมตรารับ: ${original.filename}`)}
<p><a href="${url}" target="_blank" rel="noopener">เปิดฉบับประทับตรารับในหน้าต่างใหม่</a>
 · <a href="/api/letters/${id}/attachments/${stamp.attachment}" target="_blank" rel="noopener">ต้นฉบับ ${original.filename}</a></p>`;
  }
  const unstamped = stamp?.state === 'failed' && stamp.reason ? html`<ul class="problems stamp"><li>${stampReasonText(stamp.reason)}</li></ul>` : '';
  const n = attachments.findIndex(isPdf);
  if (n < 0) return html`${unstamped}<p>ไม่มีไฟล์ PDF ให้แสดง</p>`;
  const file = attachments[n];
  const url = `/api/letters/${id}/attachments/${n + 1}`;
  return html`${unstamped}${framed(url, `ตัวหนังสือ: ${file.filename}`)}
<p><a href="${url}" target="_blank" rel="noopener">เปิด ${file.filename} ในหน้าต่างใหม่</a></p>`;
}

export function letterPage(ctx: PageContext, view: LetterView, notice: Notice): Html {
  const { detail } = view;
  const f = ctx.format;
  const l = detail.letter;
  const section = (id: string, title: string, body: Fragment) =>
    html`<section aria-labelledby="${id}"><h2 id="${id}">${title}</h2>${body}</section>`;
  return page(
    ctx,
    `หนังสือรับเลขที่ ${f.digits(`${l.number}/${l.year}`)}`,
    html`${notice ? banner(notice.kind, notice.text) : ''}
<p class="lead">${l.title ?? l.subject} <span class="state ${detail.state}">${detail.stateName}</span></p>
<div class="columns letter">
<div class="main-column">
${section('register', 'ทะเบียนรับ', html`${problems(detail)}${fields(ctx, detail, view.bookName)}`)}
${section('work', 'สถานะและผู้รับผิดชอบ', holders(ctx, detail))}
${section('actions', 'การดำเนินการ', actionForms(ctx, view.offer))}
${section('sender', 'การตรวจสอบผู้ส่ง', authenticity(detail))}
</div>
<div class="side-column">
${section('document', 'ตัวหนังสือ', pdfView(detail))}
${section('files', 'ไฟล์แนบ', files(ctx, detail))}
</div>
</div>
${section('receipts', 'การตอบรับถึงผู้ส่ง', receipts(ctx, detail))}
${section('history', 'ประวัติการดำเนินการ', historyList(ctx, detail.history, view.names))}`,
  );
}

// ---- Routes ----

export function letterPageRoutes(ctx: RouteContext): DeskRoute[] {
  const act = letterActions(ctx);

  /** The letter as this officer may see it (404 otherwise), and what they may do with it. */
  async function view(officer: Officer, letterId: number): Promise<LetterView> {
    const [detail, office] = await Promise.all([findLetterDetail(ctx.pool, officer, letterId), listDirectory(ctx.pool)]);
    if (!detail) throw notFound();
    const standings = standingsOf(
      officer,
      {
        restricted: detail.letter.restricted,
        assignments: detail.assignments.map((a) => ({
          unitId: a.unit?.id ?? null,
          officerId: a.officer?.id ?? null,
          purpose: a.purpose,
          open: a.endedAt === null,
        })),
      },
      office.units,
    );
    return {
      detail,
      names: namesOf(office),
      offer: {
        letterId,
        moves: movesOpen(detail.state, standings),
        mayAcknowledge: holdsOpenCopy(officer, detail.assignments),
        office,
        tomorrow: bangkokDate(new Date(ctx.clock().getTime() + 86_400_000)),
        today: bangkokDate(ctx.clock()),
        toComplete: detail.letter.flags.includes(TO_COMPLETE)
          ? { reference: detail.letter.reference, letterDate: detail.letter.letterDate, title: detail.letter.title }
          : null,
      },
      bookName: ctx.config.books.find((b) => b.code === detail.letter.book)?.name ?? detail.letter.book,
    };
  }

  return [
    route({
      method: 'GET',
      url: '/letters/:id',
      auth: 'officer',
      page: true,
      schema: { hide: true, params: LetterId, querystring: z.object({ done: z.string().max(20).optional() }) },
      async handler(request) {
        const shown = await view(request.officer, request.params.id);
        const done = request.query.done && Object.hasOwn(DONE, request.query.done) ? DONE[request.query.done as ActionKind] : null;
        return letterPage(pageContext(ctx, request), shown, done ? { kind: 'done', text: done } : null);
      },
    }),

    route({
      method: 'POST',
      url: '/letters/:id/actions',
      auth: 'officer',
      page: true,
      schema: { hide: true, params: LetterId, body: ActionForm },
      async handler(request, reply) {
        const id = request.params.id;
        const parsed = actionFromForm(request.body);
        let refused: DeskError;
        if ('action' in parsed) {
          try {
            await act(request.officer, id, parsed.action);
            return reply.redirect(`/letters/${id}?done=${parsed.action.kind}`, 303);
          } catch (err) {
            // Not a letter of theirs: the 404 page, as for the letter's page itself.
            if (!(err instanceof DeskError) || err.statusCode === 404) throw err;
            refused = err;
          }
        } else {
          refused = new DeskError(400, 'invalid', parsed.problem);
        }
        // The page again, its banner saying why (the registry words what was written wrong in English).
        const shown = await view(request.officer, id);
        const message = refused.code === 'invalid' && 'action' in parsed ? `ข้อมูลไม่ครบถ้วน: ${refused.message}` : refused.message;
        reply.code(refused.statusCode);
        return letterPage(pageContext(ctx, request), shown, { kind: 'error', text: message });
      },
    }),
  ];
}
