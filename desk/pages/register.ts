import { PassThrough } from 'node:stream';
import { z } from 'zod';
import type { Config } from '../../config/load';
import { hasRole } from '../../letter/access';
import { buddhistYear } from '../../letter/calendar';
import { LETTER_STATES, STATE_NAMES } from '../../letter/transitions';
import { agenciesInView, listQueue, registerNotes, type QueueItem, type QueuePage, type RegisterNote } from '../../registry/queue';
import { exportFile, exportRegister, type ExportRequest } from '../../registry/register-export';
import { ListQuery, queueQuery } from '../api/letters';
import { route, type DeskRoute, type RouteContext } from '../api/route';
import { DeskError } from '../errors';
import { pageContext } from './context';
import { html, type Html } from './html';
import { page, type PageContext } from './layout';
import { filterForm, pager } from './queue';

// The register (ทะเบียนหนังสือรับ) of a book and year, as the regulation's form 13 lays it out:
// every letter the officer may see, whatever its state, in the order of its numbers, with the
// queue's search and filters. What the officer may not see is not listed (listQueue's view).

const RegisterQuery = ListQuery.omit({ mine: true });
type Query = z.output<typeof RegisterQuery>;

/** Years offered in the year's list, back from this one. */
const YEARS_BACK = 10;

type Book = Config['books'][number];

interface RegisterView {
  query: Query & { book: string; year: number };
  book: Book;
  books: readonly Book[];
  thisYear: number;
  found: QueuePage;
  notes: Map<number, RegisterNote>;
  agencies: readonly string[];
}

/** การปฏิบัติ: the state and who holds it, and the latest การปฏิบัติ recorded. */
function practice(ctx: PageContext, l: QueueItem, note: RegisterNote | undefined): Html {
  const f = ctx.format;
  const holder = l.assignee?.officer?.name ?? l.assignee?.unit?.name;
  const recorded = note?.recorded;
  return html`<span class="state ${l.state}">${l.stateName}</span>${holder ? html` <span class="holder">${holder}</span>` : ''}${l.waitUntil ? html`<br><small>รอถึง ${f.date(l.waitUntil)}</small>` : ''}${
    recorded
      ? html`<br><small class="recorded">${recorded.text ?? ''}${recorded.replyNumber ? html` (หนังสือตอบ ที่ ${f.digits(recorded.replyNumber)})` : ''}</small>`
      : ''
  }`;
}

/** หมายเหตุ: returned or annulled (with why), suspect, secret. */
function remarks(l: QueueItem, note: RegisterNote | undefined): Html {
  const reason = (why: string | null | undefined) => (why ? html` <small>${why}</small>` : '');
  return html`${l.state === 'returned' ? html`<span class="tag">ส่งคืน</span>${reason(note?.returnedBecause)} ` : ''}${
    l.state === 'annulled' ? html`<span class="tag">ยกเลิก</span>${reason(note?.annulledBecause)} ` : ''
  }${l.suspect ? html`<span class="tag suspect">น่าสงสัย</span> ` : ''}${l.restricted ? html`<span class="tag secret">${l.secrecy ?? 'ลับ'}</span>` : ''}`;
}

/** The register's columns in the regulation's order; on a phone each row is a card, each cell labelled. */
export function registerTable(ctx: PageContext, items: readonly QueueItem[], notes: Map<number, RegisterNote>): Html {
  const f = ctx.format;
  const rows = items.map((l) => {
    const note = notes.get(l.id);
    const written = l.letterDate ? f.date(l.letterDate) : l.letterDateWritten ? f.digits(l.letterDateWritten) : '—';
    return html`<tr>
  <td data-label="วันที่">${f.shortDateTime(l.registeredAt)}</td>
  <td class="num" data-label="เลขทะเบียนรับ"><a href="/letters/${l.id}">${f.digits(l.number)}</a></td>
  <td data-label="ที่">${l.reference ? f.digits(l.reference) : '—'}</td>
  <td data-label="ลงวันที่">${written}</td>
  <td data-label="จาก">${l.agency ?? '—'}</td>
  <td data-label="ถึง">${l.addressee ?? '—'}</td>
  <td class="title" data-label="เรื่อง"><a href="/letters/${l.id}">${l.title ?? l.subject}</a></td>
  <td data-label="การปฏิบัติ">${practice(ctx, l, note)}</td>
  <td data-label="หมายเหตุ">${remarks(l, note)}</td>
</tr>`;
  });
  return html`<div class="table-wrap"><table class="letters register">
<thead><tr><th scope="col">วันที่</th><th scope="col">เลขทะเบียนรับ</th><th scope="col">ที่</th><th scope="col">ลงวันที่</th><th scope="col">จาก</th><th scope="col">ถึง</th><th scope="col">เรื่อง</th><th scope="col">การปฏิบัติ</th><th scope="col">หมายเหตุ</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`;
}

/** The whole register's files, for whoever sees the whole register: the admin (registerRoutes). */
const DOWNLOADS = [
  ['pdf', 'PDF สำหรับพิมพ์'],
  ['xlsx', 'Excel (XLSX)'],
  ['csv', 'CSV'],
] as const;

function downloads(ctx: PageContext, book: string, year: number): Html | '' {
  if (!hasRole(ctx.officer, 'admin')) return '';
  const links = DOWNLOADS.map(
    ([format, label]) =>
      html`<a href="/register/export?book=${encodeURIComponent(book)}&amp;year=${year}&amp;format=${format}" download>${label}</a>`,
  );
  return html`<p class="downloads">ดาวน์โหลดทะเบียนทั้งเล่ม: ${links.map((link, i) => html`${i ? ' · ' : ''}${link}`)}</p>`;
}

export function registerPage(ctx: PageContext, view: RegisterView): Html {
  const f = ctx.format;
  const { query, found } = view;
  const years = Array.from({ length: YEARS_BACK }, (_, i) => view.thisYear - i);
  if (!years.includes(query.year)) years.push(query.year);
  const chooseRegister = html`<div><label for="book">ทะเบียน</label><select id="book" name="book">${view.books.map(
    (b) => html`<option value="${b.code}"${b.code === view.book.code ? html` selected` : ''}>${b.name} (${b.code})</option>`,
  )}</select></div>
  <div><label for="year">ปี พ.ศ.</label><select id="year" name="year">${years.map(
    (y) => html`<option value="${y}"${y === query.year ? html` selected` : ''}>${f.digits(y)}</option>`,
  )}</select></div>`;
  const perState = LETTER_STATES.flatMap((s) => (found.counts[s] ? [`${STATE_NAMES[s]} ${f.digits(found.counts[s])}`] : []));
  return page(
    ctx,
    'ทะเบียนหนังสือรับ',
    html`<p class="register-of">${view.book.name} (${view.book.code}) ปี พ.ศ. ${f.digits(query.year)}</p>
${downloads(ctx, view.book.code, query.year)}
${filterForm(query, chooseRegister, { states: LETTER_STATES, agencies: view.agencies })}
<section id="register" aria-labelledby="register-count">
<p id="register-count" class="count-line">${found.total === 0 ? 'ไม่พบหนังสือในทะเบียนนี้' : `พบ ${f.digits(found.total)} รายการ`}${perState.length ? ` (${perState.join(' · ')})` : ''}</p>
${found.items.length ? registerTable(ctx, found.items, view.notes) : ''}
${pager(ctx, query, found.total)}
</section>`,
  );
}

const ExportQuery = z.strictObject({
  book: z.string().min(1).optional(),
  year: z.coerce.number().int().min(2500).max(2700).optional(),
  format: z.enum(['pdf', 'xlsx', 'csv']),
});

/** The book a register's query names (the settings' first when none), or a 404 that lists the books. */
function bookOf(config: Config, code: string | undefined): Book {
  const book = config.books.find((b) => b.code === (code ?? config.books[0].code));
  if (!book) {
    throw new DeskError(404, 'not-found', `ไม่มีทะเบียน ${code} (no book ${code}: the settings' books are ${config.books.map((b) => b.code).join(', ')})`);
  }
  return book;
}

export function registerRoutes(ctx: RouteContext): DeskRoute[] {
  const { pool, config } = ctx;
  return [
    route({
      method: 'GET',
      url: '/register',
      auth: 'officer',
      page: true,
      schema: { hide: true, querystring: RegisterQuery },
      async handler(request) {
        const q = request.query;
        const book = bookOf(config, q.book);
        const thisYear = buddhistYear(ctx.clock());
        const query = { ...q, book: book.code, year: q.year ?? thisYear };
        const officer = request.officer;
        const [found, agencies] = await Promise.all([
          // The register's counts are exact, however many: it is the book, and a clerk checks it.
          listQueue(pool, officer, { ...queueQuery(query), states: q.state?.length ? q.state : LETTER_STATES, order: 'number', exactCounts: true }),
          agenciesInView(pool, officer, { book: book.code, year: query.year }),
        ]);
        const notes = await registerNotes(
          pool,
          found.items.map((l) => l.id),
        );
        return registerPage(pageContext(ctx, request), { query, book, books: config.books, thisYear, found, notes, agencies });
      },
    }),
    // The whole register of a book and year as a file, streamed as it is read. Only the admin
    // sees the whole register (letter/access.ts scopeOf): an officer's or a supervisor's view is
    // a part of it, and the file is the register itself, every number, so it is the admin's. ลับ and
    // ลับมาก letters are shown in full only to an admin named for secret mail; to another, their
    // rows keep the date and number and say they are secret.
    route({
      method: 'GET',
      url: '/register/export',
      auth: 'admin',
      page: true,
      schema: { hide: true, querystring: ExportQuery },
      async handler(request, reply) {
        const q = request.query;
        const book = bookOf(config, q.book);
        const officer = request.officer;
        const exported: ExportRequest = {
          format: q.format,
          form: 'register',
          year: q.year ?? buddhistYear(ctx.clock()),
          book: { code: book.code, name: book.name },
          agency: config.agency.name,
          digits: config.desk.digits,
          revealRestricted: officer.secretClearance,
          at: ctx.clock(),
        };
        const file = exportFile(exported);
        const body = new PassThrough();
        request.log.info({ officer: officer.username, book: book.code, year: exported.year, format: q.format }, 'register exported');
        // Written as it is read: a failure half-way can only cut the download short, which the browser shows.
        exportRegister(pool, exported, body).catch((err: Error) => {
          request.log.warn({ err, book: book.code, year: exported.year, format: q.format }, 'register export stopped');
          body.destroy(err);
        });
        return reply.type(file.contentType).header('content-disposition', `attachment; filename="${file.filename}"`).send(body);
      },
    }),
  ];
}