import { z } from 'zod';
import type { Officer } from '../../letter/access';
import type { Action, ActionKind, Move } from '../../letter/transitions';
import type { AssignmentRecord } from '../../registry/queue';
import { ActionBody } from '../api/letters';
import { html, type Html } from './html';
import { csrfField, type PageContext } from './layout';
import type { Office } from './names';

// The actions of the API as forms on a letter's page: each form posts to POST
// /letters/:id/actions, which parses it into the API's own Action (the same zod schema) and
// takes it through the same function. A form is shown only when the letter's state and the
// officer's standing allow its move (letter/transitions.ts movesOpen); the registry decides.

/** What a letter's page offers this officer. */
export interface Offer {
  letterId: number;
  moves: ReadonlySet<Move>;
  /** An open copy to know held by the officer (or their unit): there is something to acknowledge. */
  mayAcknowledge: boolean;
  office: Office;
  /** Tomorrow in Bangkok (YYYY-MM-DD): the first date a letter may wait until. */
  tomorrow: string;
  /** Today in Bangkok (YYYY-MM-DD): the last date a letter may be dated. */
  today: string;
  /** A letter flagged to-complete: what the register has of the fields a clerk completes; null otherwise. */
  toComplete: { reference: string | null; letterDate: string | null; title: string | null } | null;
}

/** Whether the officer holds an open copy to know: theirs, or their unit's as a whole. */
export function holdsOpenCopy(officer: Officer, assignments: readonly AssignmentRecord[]): boolean {
  return assignments.some(
    (a) =>
      a.purpose === 'know' &&
      a.endedAt === null &&
      (a.officer?.id === officer.id || (a.officer === null && a.unit !== null && a.unit.id === officer.unitId)),
  );
}

/** The banner after an action done (?done=<kind>). */
export const DONE: Readonly<Record<ActionKind, string>> = {
  take: 'รับเรื่องแล้ว',
  forward: 'ส่งต่อแล้ว',
  order: 'บันทึกคำสั่งการแล้ว',
  record: 'บันทึกการปฏิบัติแล้ว',
  wait: 'พักเรื่องรอแล้ว',
  return: 'ส่งคืนหนังสือแล้ว',
  annul: 'ยกเลิกหนังสือแล้ว',
  close: 'ปิดเรื่องแล้ว',
  reopen: 'เปิดเรื่องอีกครั้งแล้ว',
  acknowledge: 'รับทราบแล้ว',
  complete: 'ลงรายละเอียดแล้ว',
};

/** A unit or officer as a form names it: "unit:3", "officer:12". */
const assigneeValue = (to: { unitId: number } | { officerId: number }) => ('unitId' in to ? `unit:${to.unitId}` : `officer:${to.officerId}`);

/** The units and the officers on duty, to send a letter to. */
function assigneeOptions(office: Office): Html {
  const units = new Map(office.units.map((u) => [u.id, u.name]));
  const officers = office.officers
    .filter((o) => o.active && o.onDuty)
    .map((o) => {
      const unit = o.unitId !== null ? units.get(o.unitId) : undefined;
      return html`<option value="${assigneeValue({ officerId: o.id })}">${o.name}${unit ? ` (${unit})` : ''}</option>`;
    });
  return html`<optgroup label="หน่วยงาน">${office.units.map((u) => html`<option value="${assigneeValue({ unitId: u.id })}">${u.name}</option>`)}</optgroup>
<optgroup label="เจ้าหน้าที่">${officers}</optgroup>`;
}

/** One form: the CSRF field, the action's kind, its fields, the button. */
function form(ctx: PageContext, offer: Offer, kind: ActionKind, fields: Html | '', button: Html, confirm?: string): Html {
  return html`<form method="post" action="/letters/${offer.letterId}/actions"${confirm ? html` data-confirm="${confirm}"` : ''}>
  ${csrfField(ctx)}
  <input type="hidden" name="kind" value="${kind}">
  ${fields}
  ${button}
</form>`;
}

/** A form folded under its name, opened when the officer means to use it. */
const folded = (summary: string, body: Html) => html`<details class="action"><summary>${summary}</summary>${body}</details>`;

const textField = (id: string, name: string, label: string, required = false) =>
  html`<label for="${id}">${label}</label><textarea id="${id}" name="${name}"${required ? html` required` : ''} maxlength="4000"></textarea>`;

const submit = (label: string, danger = false) => html`<button type="submit"${danger ? html` class="danger"` : ''}>${label}</button>`;

/** Every form the officer may use now; a line saying so when there is none. */
export function actionForms(ctx: PageContext, offer: Offer): Html {
  const { moves } = offer;
  const options = () => assigneeOptions(offer.office);
  const forms: Html[] = [];
  if (moves.has('take')) forms.push(form(ctx, offer, 'take', '', submit('รับเรื่อง')));
  if (offer.mayAcknowledge && moves.has('acknowledge')) forms.push(form(ctx, offer, 'acknowledge', '', submit('รับทราบ')));
  if (moves.has('forward') || moves.has('inform')) {
    const purposes = [
      moves.has('forward') && html`<option value="act">เพื่อดำเนินการ</option>`,
      moves.has('inform') && html`<option value="know">เพื่อทราบ</option>`,
    ];
    const fields = html`<label for="forward-to">ส่งถึง</label>
<select id="forward-to" name="to" required><option value="">— เลือกหน่วยงานหรือเจ้าหน้าที่ —</option>${options()}</select>
<label for="forward-purpose">เพื่อ</label>
<select id="forward-purpose" name="purpose">${purposes}</select>
${textField('forward-note', 'note', 'หมายเหตุถึงผู้รับ')}`;
    forms.push(folded(moves.has('forward') ? 'ส่งต่อ' : 'แจ้งเพื่อทราบ', form(ctx, offer, 'forward', fields, submit('ส่งต่อ'))));
  }
  if (moves.has('order')) {
    const fields = html`${textField('order-text', 'text', 'คำสั่งการ', true)}
<label for="order-act">มอบให้ดำเนินการ (ถ้ามี)</label>
<select id="order-act" name="act"><option value="">— ไม่มอบ —</option>${options()}</select>
<label for="order-know">แจ้งเพื่อทราบ (เลือกได้หลายรายการ)</label>
<select id="order-know" name="know" multiple size="5">${options()}</select>`;
    forms.push(folded('เกษียณหนังสือ / สั่งการ', form(ctx, offer, 'order', fields, submit('บันทึกคำสั่งการ'))));
  }
  if (moves.has('record')) {
    const fields = html`${textField('record-text', 'text', 'การปฏิบัติ')}
<label for="record-reply">เลขที่หนังสือตอบ (ถ้ามี)</label>
<input id="record-reply" name="replyNumber" maxlength="200">`;
    forms.push(folded('บันทึกการปฏิบัติ', form(ctx, offer, 'record', fields, submit('บันทึกการปฏิบัติ'))));
  }
  if (moves.has('wait')) {
    const fields = html`<label for="wait-until">รอถึงวันที่</label>
<input id="wait-until" name="until" type="date" required min="${offer.tomorrow}">
${textField('wait-note', 'note', 'รออะไร')}`;
    forms.push(folded('พักเรื่องรอ', form(ctx, offer, 'wait', fields, submit('พักเรื่องรอ'))));
  }
  if (moves.has('close')) {
    forms.push(folded('ปิดเรื่อง (เสร็จ)', form(ctx, offer, 'close', textField('close-note', 'note', 'หมายเหตุ'), submit('ปิดเรื่อง'))));
  }
  if (moves.has('reopen')) {
    const fields = textField('reopen-reason', 'reason', 'เหตุผล', true);
    forms.push(folded('เปิดเรื่องอีกครั้ง', form(ctx, offer, 'reopen', fields, submit('เปิดเรื่องอีกครั้ง'))));
  }
  if (moves.has('complete') && offer.toComplete) {
    const entry = offer.toComplete;
    const fields = html`<p>อ่านเลขที่หรือวันที่ของหนังสือไม่ได้: กรอกจากตัวหนังสือ ช่องที่เว้นว่างไว้คงค่าเดิม</p>
<label for="complete-reference">ที่</label>
<input id="complete-reference" name="reference" maxlength="200" value="${entry.reference ?? ''}">
<label for="complete-date">ลงวันที่</label>
<input id="complete-date" name="letterDate" type="date" max="${offer.today}" value="${entry.letterDate ?? ''}">
<label for="complete-title">เรื่อง</label>
<input id="complete-title" name="title" maxlength="1000" value="${entry.title ?? ''}">`;
    forms.push(folded('ลงรายละเอียดหนังสือ', form(ctx, offer, 'complete', fields, submit('บันทึกรายละเอียด'))));
  }
  if (moves.has('return')) {
    const fields = textField('return-reason', 'reason', 'เหตุผลที่ส่งคืน (ผู้ส่งจะได้รับทางอีเมล)', true);
    const confirm = 'ส่งคืนหนังสือนี้ให้ผู้ส่งใช่หรือไม่ ระบบจะแจ้งเหตุผลให้ผู้ส่งทางอีเมล';
    forms.push(folded('ส่งคืนผู้ส่ง', form(ctx, offer, 'return', fields, submit('ส่งคืนผู้ส่ง', true), confirm)));
  }
  if (moves.has('annul')) {
    const fields = textField('annul-reason', 'reason', 'เหตุผลที่ยกเลิก', true);
    const confirm = 'ยกเลิกหนังสือนี้ใช่หรือไม่ เลขทะเบียนรับจะคงอยู่และไม่นำกลับมาใช้อีก';
    forms.push(folded('ยกเลิกหนังสือ', form(ctx, offer, 'annul', fields, submit('ยกเลิกหนังสือ', true), confirm)));
  }
  return forms.length ? html`<div class="actions">${forms}</div>` : html`<p>ไม่มีการดำเนินการที่ท่านทำได้กับหนังสือนี้ในสถานะนี้</p>`;
}

/** A form as the body parser gives it: a field, or a field given many times (a multiple select). */
export const ActionForm = z.record(z.string(), z.union([z.string(), z.array(z.string())]));

/**
 * A posted form as the API's Action, checked by the API's own schema; a message in Thai for
 * what is missing or wrong.
 */
export function actionFromForm(form: z.output<typeof ActionForm>): { action: Action } | { problem: string } {
  const one = (key: string): string | undefined => [form[key] ?? []].flat()[0];
  const many = (key: string): string[] => [form[key] ?? []].flat().filter((v) => v !== '');
  const written = (key: string): string | null => {
    const v = one(key);
    return v === undefined || v.trim() === '' ? null : v;
  };
  const assignee = (value: string) => {
    const m = /^(unit|officer):(\d{1,9})$/.exec(value);
    if (!m) return null;
    return m[1] === 'unit' ? { unitId: Number(m[2]) } : { officerId: Number(m[2]) };
  };
  const kind = one('kind');
  let raw: unknown;
  switch (kind) {
    case 'forward': {
      const to = assignee(one('to') ?? '');
      if (!to) return { problem: 'เลือกหน่วยงานหรือเจ้าหน้าที่ที่จะส่งถึง' };
      raw = { kind, to, purpose: one('purpose') ?? 'act', note: written('note') };
      break;
    }
    case 'order': {
      const named = [...many('act').map((v) => ({ v, purpose: 'act' })), ...many('know').map((v) => ({ v, purpose: 'know' }))];
      const assign = named.map(({ v, purpose }) => ({ to: assignee(v), purpose }));
      if (assign.some((a) => a.to === null)) return { problem: 'เลือกหน่วยงานหรือเจ้าหน้าที่จากรายการ' };
      raw = { kind, text: one('text') ?? '', assign };
      break;
    }
    case 'record':
      raw = { kind, text: written('text'), replyNumber: written('replyNumber') };
      break;
    case 'wait':
      raw = { kind, until: one('until') ?? '', note: written('note') };
      break;
    case 'return':
    case 'annul':
    case 'reopen':
      raw = { kind, reason: one('reason') ?? '' };
      break;
    case 'close':
      raw = { kind, note: written('note') };
      break;
    case 'complete':
      raw = { kind, reference: written('reference'), letterDate: written('letterDate'), title: written('title') };
      break;
    default:
      raw = { kind };
  }
  const parsed = ActionBody.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'kind'} ${i.message}`);
    return { problem: `ข้อมูลในแบบฟอร์มไม่ถูกต้อง: ${problems.join('; ')}` };
  }
  return { action: parsed.data as Action };
}
