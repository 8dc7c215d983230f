import { createHash } from 'node:crypto';
import { z } from 'zod';
import { LETTER_STATES, OPEN_STATES, STATE_NAMES, type LetterState } from '../../letter/transitions';
import { listQueue, PAGE_SIZE, type QueueItem, type QueuePage } from '../../registry/queue';
import { ListQuery, queueQuery } from '../api/letters';
import { route, type DeskRoute, type RouteContext } from '../api/route';
import { pageContext } from './context';
import { html, type Html } from './html';
import { page, type PageContext } from './layout';

// The queue (คิวงาน): the letters an officer may see, most urgent first, with counts per state,
// filters, and a table that keeps itself current: desk.js fetches the page again every few
// seconds and swaps the table in when its data-version changed, so a letter e-mailed to the
// gateway appears without a reload.

type Query = z.output<typeof ListQuery>;

export const URGENCIES = ['ด่วนที่สุด', 'ด่วนมาก', 'ด่วนภายใน', 'ด่วน'] as const;

/** Seconds between the page's checks for new letters. */
const LIVE_SECONDS = 5;

/** The query string of this page with some parameters changed (undefined removes one). */
export function withParams(query: Record<string, unknown>, changes: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...query, ...changes })) {
    if (v === undefined || v === null || v === '' || v === false) continue;
    // The defaults stay out of the links.
    if ((k === 'limit' && v === PAGE_SIZE) || (k === 'offset' && v === 0)) continue;
    params.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '?';
}

/** The letters as a table: one row each, its number linking to the letter's page. */
export function letterTable(ctx: PageContext, items: readonly QueueItem[]): Html {
  const f = ctx.format;
  const rows = items.map(
    (l) => html`<tr class="${l.urgency ? 'urgent' : ''}">
  <td class="num"><a href="/letters/${l.id}">${f.digits(l.number)}/${f.digits(l.year)}</a></td>
  <td>${f.shortDateTime(l.registeredAt)}</td>
  <td>${l.reference ? f.digits(l.reference) : '—'}</td>
  <td class="title"><a href="/letters/${l.id}">${l.title ?? l.subject}</a>${l.restricted ? html` <span class="tag secret">${l.secrecy ?? 'ลับ'}</span>` : ''}${l.suspect ? html` <span class="tag suspect">น่าสงสัย</span>` : ''}${l.toComplete ? html` <span class="tag suspect">รอเจ้าหน้าที่กรอกเลขที่/วันที่</span>` : ''}</td>
  <td>${l.agency ?? '—'}</td>
  <td>${l.urgency ? html`<span class="tag urgency">${l.urgency}</span>` : ''}</td>
  <td><span class="state ${l.state}">${l.stateName}</span>${l.waitUntil ? html`<br><small>ถึง ${f.date(l.waitUntil)}</small>` : ''}</td>
  <td>${l.assignee?.officer?.name ?? l.assignee?.unit?.name ?? '—'}</td>
</tr>`,
  );
  return html`<div class="table-wrap"><table class="letters queue">
<thead><tr><th scope="col">เลขรับ</th><th scope="col">วันเวลารับ</th><th scope="col">ที่</th><th scope="col">เรื่อง</th><th scope="col">จาก</th><th scope="col">ชั้นความเร็ว</th><th scope="col">สถานะ</th><th scope="col">ผู้รับผิดชอบ</th></tr></thead>
<tbody>${rows}</tbody>
</table></div>`;
}

/**
 * Previous and next pages of a listing. `capped`: the total is a floor (a count stopped at COUNT_CAP), so the page's own letters say
 * where it ends and whether another may follow (a full page), not the total.
 */
export function pager(ctx: PageContext, query: Query, total: number, capped?: { shown: number }): Html | '' {
  if (total <= query.limit && query.offset === 0 && !capped) return '';
  const f = ctx.format;
  const from = query.offset + 1;
  const to = capped ? query.offset + capped.shown : Math.min(query.offset + query.limit, total);
  const more = capped ? capped.shown === query.limit : to < total;
  const prev = query.offset > 0 ? html`<a rel="prev" href="${withParams(query, { offset: Math.max(0, query.offset - query.limit) || undefined })}">ก่อนหน้า</a>` : '';
  const next = more ? html`<a rel="next" href="${withParams(query, { offset: query.offset + query.limit })}">ถัดไป</a>` : '';
  const range = to >= from ? `${f.digits(from)}–${f.digits(to)} จาก ` : 'จาก ';
  return html`<nav class="pager" aria-label="หน้า">${prev} <span>${range}${countText(f, total, capped !== undefined)}</span> ${next}</nav>`;
}

/** A count as the desk shows it: "1,000+" when it stopped at the cap, nothing when not counted. */
export function countText(f: PageContext['format'], n: number | null, more: boolean): string {
  if (n === null) return '';
  return more ? `${f.digits(n)}+` : f.digits(n);
}

/** What a listing lets the officer pick beyond the queue's filters: any one state, an agency among these. */
export interface FilterChoices {
  states?: readonly LetterState[];
  agencies?: readonly string[];
}

/** The filters, as a GET form: the same parameters as GET /api/letters. */
export function filterForm(query: Query, extra: Html | '' = '', choices: FilterChoices = {}): Html {
  const urgency = query.urgency?.[0];
  const state = query.state?.length === 1 ? query.state[0] : undefined;
  const stateField = choices.states
    ? html`<div><label for="state">สถานะ</label><select id="state" name="state"><option value="">ทุกสถานะ</option>${choices.states.map((s) => html`<option value="${s}"${s === state ? html` selected` : ''}>${STATE_NAMES[s]}</option>`)}</select></div>`
    : query.state?.length
      ? html`<input type="hidden" name="state" value="${query.state.join(',')}">`
      : '';
  const agencies = choices.agencies && query.agency && !choices.agencies.includes(query.agency) ? [query.agency, ...choices.agencies] : choices.agencies;
  const agencyField = agencies
    ? html`<div><label for="agency">จาก</label><select id="agency" name="agency"><option value="">ทุกหน่วยงาน</option>${agencies.map((a) => html`<option${a === query.agency ? html` selected` : ''}>${a}</option>`)}</select></div>`
    : '';
  return html`<form class="filters" method="get" role="search">
  ${extra}
  <div><label for="q">ค้นหา</label><input id="q" name="q" type="search" value="${query.q ?? ''}" placeholder="เลขที่หนังสือ เรื่อง หรือหน่วยงาน"></div>
  ${choices.states ? stateField : ''}
  <div><label for="urgency">ชั้นความเร็ว</label><select id="urgency" name="urgency"><option value="">ทั้งหมด</option>${URGENCIES.map((u) => html`<option${u === urgency ? html` selected` : ''}>${u}</option>`)}</select></div>
  ${agencyField}
  <div><label for="from">รับตั้งแต่</label><input id="from" name="from" type="date" value="${query.from ?? ''}"></div>
  <div><label for="to">ถึง</label><input id="to" name="to" type="date" value="${query.to ?? ''}"></div>
  ${choices.states ? '' : stateField}
  <button type="submit">ค้นหา</button>
</form>`;
}

/** A fingerprint of what the table shows: the page's script swaps the table in when it changes. */
function version(found: QueuePage): string {
  const shown = found.items.map((l) => `${l.id}:${l.state}:${l.assignee?.officer?.id ?? ''}:${l.assignee?.unit?.id ?? ''}`).join(',');
  return createHash('sha256').update(`${shown}|${JSON.stringify(found.counts)}`).digest('hex').slice(0, 16);
}

export function queuePage(ctx: PageContext, query: Query, found: QueuePage): Html {
  const f = ctx.format;
  const shown: readonly LetterState[] = query.state?.length ? query.state : OPEN_STATES;
  // The total is a floor when a state shown stopped counting at the cap.
  const more = shown.some((s) => found.capped.includes(s));
  const tab = (state: LetterState) => {
    const selected = shown.length === 1 && shown[0] === state;
    const n = found.counts[state];
    const count = n === null ? '' : html` <span class="count">${countText(f, n, found.capped.includes(state))}</span>`;
    return html`<li><a href="${withParams(query, { state, offset: undefined })}"${selected ? html` aria-current="true"` : ''}>${STATE_NAMES[state]}${count}</a></li>`;
  };
  const scope = html`<nav class="scope" aria-label="ขอบเขต">
  <a href="${withParams(query, { mine: undefined, offset: undefined })}"${query.mine ? '' : html` aria-current="true"`}>ทั้งหมดที่ฉันเห็นได้</a>
  <a href="${withParams(query, { mine: 'true', offset: undefined })}"${query.mine ? html` aria-current="true"` : ''}>ที่มอบหมายให้ฉัน</a>
</nav>`;
  return page(
    ctx,
    query.mine ? 'คิวงานของฉัน' : 'คิวงาน',
    html`${scope}
<nav class="tabs" aria-label="สถานะ"><ul>
  <li><a href="${withParams(query, { state: undefined, offset: undefined })}"${query.state?.length ? '' : html` aria-current="true"`}>งานค้าง <span class="count">${f.digits(OPEN_STATES.reduce((n, s) => n + (found.counts[s] ?? 0), 0))}</span></a></li>
  ${LETTER_STATES.map(tab)}
</ul></nav>
${filterForm(query, query.mine ? html`<input type="hidden" name="mine" value="true">` : '')}
<section id="queue" data-live="${LIVE_SECONDS}" data-version="${version(found)}" aria-labelledby="queue-count">
<p id="queue-count" class="count-line">${found.total === 0 ? 'ไม่มีหนังสือในคิวนี้' : `พบ ${countText(f, found.total, more)} รายการ`}</p>
${found.items.length ? letterTable(ctx, found.items) : ''}
${pager(ctx, query, found.total, more ? { shown: found.items.length } : undefined)}
</section>
<p id="live-status" class="visually-hidden" aria-live="polite"></p>`,
  );
}

export function queueRoutes(ctx: RouteContext): DeskRoute[] {
  return [
    route({
      method: 'GET',
      url: '/',
      auth: 'officer',
      page: true,
      schema: { hide: true, querystring: ListQuery },
      async handler(request) {
        const found = await listQueue(ctx.pool, request.officer, queueQuery(request.query));
        return queuePage(pageContext(ctx, request), request.query, found);
      },
    }),
  ];
}
