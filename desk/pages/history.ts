import { MOVE_NAMES, movesOf, STATE_NAMES, type Action, type LetterState } from '../../letter/transitions';
import type { HistoryEvent } from '../../registry/queue';
import { html, type Html } from './html';
import type { PageContext } from './layout';
import type { Names } from './names';

// A letter's history (its audit events, oldest first) in an officer's words: who, when, what,
// and what they wrote. Everything comes from the event's detail as it was written: read
// defensively, since old events and new ones may differ in what they hold.

/** What an event says, in words. */
interface Described {
  what: string;
  /** Facts beside the words written (a date waited for, a reply's number). */
  facts: string[];
  /** What the officer wrote: a note, an order, a reason. */
  text: string | null;
}

const isState = (v: unknown): v is LetterState => typeof v === 'string' && v in STATE_NAMES;
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/** Whom an assignment in an action's request names. */
function assigneeName(to: unknown, names: Names): string {
  const t = (to ?? {}) as { unitId?: unknown; officerId?: unknown };
  if (typeof t.officerId === 'number') return names.officer(t.officerId);
  if (typeof t.unitId === 'number') return names.unit(t.unitId);
  return '—';
}

const purposeWords = (purpose: unknown) => (purpose === 'know' ? 'เพื่อทราบ' : 'เพื่อดำเนินการ');

function describeAction(request: Partial<Action> & Record<string, unknown>, names: Names, ctx: PageContext): Described {
  const f = ctx.format;
  const kind = request.kind;
  let what: string = kind ? (MOVE_NAMES[kind === 'forward' ? movesOf(request as Action)[0] : kind]?.th ?? kind) : 'ดำเนินการ';
  const facts: string[] = [];
  let text: string | null = null;
  switch (kind) {
    case 'forward':
      what = `ส่งต่อถึง ${assigneeName(request.to, names)} ${purposeWords(request.purpose)}`;
      text = str(request.note);
      break;
    case 'order':
      what = 'เกษียณหนังสือ / สั่งการ';
      text = str(request.text);
      for (const a of Array.isArray(request.assign) ? request.assign : []) {
        facts.push(`มอบ ${assigneeName(a?.to, names)} ${purposeWords(a?.purpose)}`);
      }
      break;
    case 'record':
      text = str(request.text);
      if (str(request.replyNumber)) facts.push(`หนังสือตอบเลขที่ ${f.digits(request.replyNumber!)}`);
      break;
    case 'wait':
      if (typeof request.until === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(request.until)) facts.push(`รอถึง ${f.date(request.until)}`);
      text = str(request.note);
      break;
    case 'close':
      text = str(request.note);
      break;
    case 'return':
    case 'annul':
    case 'reopen':
      text = str(request.reason);
      break;
    case 'complete':
      if (str(request.reference)) facts.push(`ที่ ${f.digits(request.reference!)}`);
      if (typeof request.letterDate === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(request.letterDate)) {
        facts.push(`ลงวันที่ ${f.date(request.letterDate)}`);
      }
      if (str(request.title)) facts.push(`เรื่อง “${request.title}”`);
      break;
  }
  return { what, facts, text };
}

function describe(event: HistoryEvent, names: Names, ctx: PageContext): Described {
  const f = ctx.format;
  const d = event.detail;
  switch (event.action) {
    case 'letter.registered':
      return {
        what: `ลงทะเบียนรับ เลขที่ ${f.digits(`${d.number}/${d.year}`)}`,
        facts: d.suspect === true ? ['ผู้ส่งอาจถูกปลอม: ไม่ได้ส่งหนังสือตอบรับ'] : [],
        text: null,
      };
    case 'letter.routed': {
      const to = num(d.officerId) !== null ? names.officer(num(d.officerId)) : names.unit(num(d.unitId));
      return {
        what: `ส่งเข้าคิวของ ${to}`,
        facts: [str(d.rule) ? `ตามกฎ “${d.rule}”` : 'ไม่ตรงกฎใด จึงส่งหน่วยงานสารบรรณกลาง'],
        // Why routing could not follow its rule, for whoever set the rules.
        text: str(d.problem),
      };
    }
    case 'inbound.correspondence':
      // A person's answer to our receipt: kept, not numbered, not answered; here for the officers.
      return {
        what: 'ผู้ส่งตอบกลับเกี่ยวกับหนังสือนี้ (ไม่ได้ออกเลขรับ ไม่ได้ตอบกลับอัตโนมัติ)',
        facts: [str(d.from) ? `จาก ${d.from}` : null, str(d.subject) ? `เรื่อง “${d.subject}”` : null].filter((x): x is string => x !== null),
        text: str(d.excerpt),
      };
    case 'inbound.duplicate':
      return { what: 'ได้รับหนังสือฉบับเดียวกันซ้ำ ไม่ได้ออกเลขรับใหม่', facts: [], text: null };
    case 'reply.released':
      return { what: 'ปล่อยหนังสือตอบรับที่กันไว้ให้ส่ง', facts: str(d.recipient) ? [`ถึง ${d.recipient}`] : [], text: null };
  }
  if (event.action.startsWith('letter.') && typeof d.request === 'object' && d.request !== null) {
    return describeAction(d.request as Partial<Action> & Record<string, unknown>, names, ctx);
  }
  return { what: event.action, facts: [], text: null };
}

/** The history as a list, oldest first. */
export function historyList(ctx: PageContext, events: readonly HistoryEvent[], names: Names): Html {
  const f = ctx.format;
  const items = events.map((event) => {
    const { what, facts, text } = describe(event, names, ctx);
    const { from, to } = event.detail;
    const moved = isState(from) && isState(to) && from !== to ? `สถานะ ${STATE_NAMES[from]} → ${STATE_NAMES[to]}` : null;
    const shown = [...facts, ...(moved ? [moved] : [])];
    return html`<li>
  <p class="event"><strong>${what}</strong></p>
  <p class="meta">${names.actor(event.actor)} · <time datetime="${event.at.toISOString()}">${f.dateTime(event.at)}</time></p>
  ${shown.length ? html`<p class="facts">${shown.join(' · ')}</p>` : ''}
  ${text ? html`<blockquote class="note">${text}</blockquote>` : ''}
</li>`;
  });
  return events.length ? html`<ol class="history">${items}</ol>` : html`<p>ยังไม่มีประวัติ</p>`;
}
