import { registrationNumber, type AcknowledgementMessage, type Agency } from './acknowledgement';
import { maySee, type Officer, type UnitNode } from './access';
import { LOOP_HEADER } from './automatic';
import { formatThaiDate, formatThaiDateTime } from './calendar';
import type { LetterState } from './transitions';
import { deadlineDay, officeMinutesBetween, previousWorkingDay, type IsoDate, type Slot, type WorkingDay } from './workday';

// Reminders (การแจ้งเตือน): at each check time of a working day, every officer who has letters
// waiting to be taken gets one e-mail listing them; ด่วนที่สุด letters are reminded at every
// step of the hour until taken, and their holder's supervisor is told once they have waited
// too long; a letter with a deadline, or waiting until a date, is reminded the working day
// before. Pure: the slot, the letters and the people are given.

export interface ReminderRules extends WorkingDay {
  /** Office minutes a ด่วนที่สุด letter may wait to be taken before its supervisor is told. */
  escalateAfterMinutes: number;
}

/**
 * Why a letter is in a reminder:
 * - not-taken: registered or assigned, nobody has taken it (รับเรื่อง) yet (at a check time);
 * - urgent: the same, for a ด่วนที่สุด letter (at every urgent step);
 * - escalated: to the supervisor, a ด่วนที่สุด letter not taken after escalateAfterMinutes;
 * - deadline: its ด่วนภายใน deadline is the next working day;
 * - wait-ends: it waits (รอ) until the next working day.
 */
export type ReminderReason = 'escalated' | 'urgent' | 'deadline' | 'wait-ends' | 'not-taken';

/** Most pressing first: the order of reasons in an entry, and of entries in the e-mail. */
const ORDER: readonly ReminderReason[] = ['escalated', 'urgent', 'deadline', 'wait-ends', 'not-taken'];

/** A letter still open, with whoever holds it to act. */
export interface LetterToRemind {
  letterId: number;
  state: LetterState;
  urgency: string | null;
  receivedAt: Date;
  /** ด่วนภายใน: the instant it is due. */
  deadline: Date | null;
  /** รอ: the date it waits until. */
  waitUntil: IsoDate | null;
  /** ลับ, ลับมาก: only officers named for secret mail are told of it. */
  restricted: boolean;
  /** The open assignment to act: an officer, or a unit as a whole (officerId null). */
  holder: { unitId: number | null; officerId: number | null };
}

/** An officer who can be reminded: on duty, not disabled, with an e-mail address. */
export interface Remindable extends Officer {
  email: string;
}

const NOT_TAKEN: readonly LetterState[] = ['registered', 'assigned'];

/** What a letter is reminded for at this slot: to its holder, and to the holder's supervisor. */
export function reasonsAt(
  letter: LetterToRemind,
  slot: Slot,
  rules: ReminderRules,
): { holder: ReminderReason[]; supervisor: ReminderReason[] } {
  const holder: ReminderReason[] = [];
  const supervisor: ReminderReason[] = [];
  // A letter that came after the slot waits for the next one.
  if (letter.receivedAt > slot.at) return { holder, supervisor };
  const notTaken = NOT_TAKEN.includes(letter.state);
  const mostUrgent = letter.urgency === 'ด่วนที่สุด';
  if (notTaken && mostUrgent && slot.urgent) {
    holder.push('urgent');
    if (officeMinutesBetween(letter.receivedAt, slot.at, rules) >= rules.escalateAfterMinutes) supervisor.push('escalated');
  }
  if (slot.check) {
    if (notTaken && !holder.includes('urgent')) holder.push('not-taken');
    const dayBefore = (day: IsoDate) => previousWorkingDay(day, rules.holidays) === slot.day;
    if (letter.deadline && letter.deadline > slot.at && dayBefore(deadlineDay(letter.deadline))) holder.push('deadline');
    if (letter.state === 'waiting' && letter.waitUntil && letter.waitUntil > slot.day && dayBefore(letter.waitUntil))
      holder.push('wait-ends');
  }
  return { holder, supervisor };
}

/** One officer's reminder of one slot: the letters, each with why, in the order given. */
export interface PlannedReminder {
  officer: Remindable;
  letters: Array<{ letterId: number; reasons: ReminderReason[] }>;
}

/**
 * Who is reminded of what at this slot: a letter's holder (the officer, or each officer of the
 * unit who can be reminded), and for an escalation the supervisors of the holder's unit, or of
 * the nearest unit above it that has one. Each officer once, with all their letters; a secret
 * letter only to officers the desk would show it to.
 */
export function planSlot(
  slot: Slot,
  letters: readonly LetterToRemind[],
  people: readonly Remindable[],
  units: readonly UnitNode[],
  rules: ReminderRules,
): PlannedReminder[] {
  const plans = new Map<number, PlannedReminder>();
  const remind = (officer: Remindable, letter: LetterToRemind, reasons: ReminderReason[]) => {
    const seen = { restricted: letter.restricted, assignments: [{ ...letter.holder, purpose: 'act' as const, open: true }] };
    if (!maySee(officer, seen, units)) return;
    const plan = plans.get(officer.id) ?? { officer, letters: [] };
    plans.set(officer.id, plan);
    const entry = plan.letters.find((l) => l.letterId === letter.letterId);
    if (entry) entry.reasons = ORDER.filter((r) => entry.reasons.includes(r) || reasons.includes(r));
    else plan.letters.push({ letterId: letter.letterId, reasons: ORDER.filter((r) => reasons.includes(r)) });
  };
  for (const letter of letters) {
    const { holder, supervisor } = reasonsAt(letter, slot, rules);
    if (holder.length) for (const officer of holdersOf(letter.holder, people)) remind(officer, letter, holder);
    if (supervisor.length) for (const officer of supervisorsOf(letter.holder.unitId, people, units)) remind(officer, letter, supervisor);
  }
  return [...plans.values()];
}

function holdersOf(holder: LetterToRemind['holder'], people: readonly Remindable[]): Remindable[] {
  if (holder.officerId !== null) return people.filter((p) => p.id === holder.officerId);
  return people.filter((p) => p.unitId === holder.unitId);
}

/** The supervisors of the unit, else of the nearest unit above it that has any who can be reminded. */
export function supervisorsOf(unitId: number | null, people: readonly Remindable[], units: readonly UnitNode[]): Remindable[] {
  const seen = new Set<number>();
  for (let id = unitId; id !== null && !seen.has(id); id = units.find((u) => u.id === id)?.parentId ?? null) {
    seen.add(id);
    const here = people.filter((p) => p.role === 'supervisor' && p.unitId === id);
    if (here.length) return here;
  }
  return [];
}

// ---- The e-mail ----

/** A letter as the reminder lists it. */
export interface ReminderEntry {
  letterId: number;
  /** The book's name, when the office keeps more than one. */
  bookName: string | null;
  number: number;
  year: number;
  title: string | null;
  subject: string;
  registeredAt: Date;
  urgency: string | null;
  /** ด่วนภายใน as read: YYYY-MM-DD or YYYY-MM-DDTHH:MM (Bangkok). */
  urgencyDeadline: string | null;
  waitUntil: IsoDate | null;
  restricted: boolean;
  reasons: readonly ReminderReason[];
}

export interface ReminderFacts {
  agency: Agency;
  /** ชื่อ สกุล of the officer. */
  officerName: string;
  /** The slot's key, YYYY-MM-DDTHH:MM in Bangkok. */
  slot: string;
  entries: readonly ReminderEntry[];
  /** desk.publicUrl: each letter gets a link to its page; none without it. */
  deskUrl: string | null;
  escalateAfterMinutes: number;
}

/** "09.00 น. วันที่ 9 มีนาคม 2569" */
function slotWords(slot: string): string {
  const [day, time] = slot.split('T');
  return `เวลา ${time.replace(':', '.')} น. วันที่ ${formatThaiDate(day)}`;
}

function dueWords(written: string): string {
  const [day, time] = written.split('T');
  return `ภายในวันที่ ${formatThaiDate(day)}${time ? ` เวลา ${time.replace(':', '.')} น.` : ''}`;
}

function hoursWords(minutes: number): string {
  return minutes % 60 === 0 ? `${minutes / 60} ชั่วโมง` : `${minutes} นาที`;
}

function reasonWords(entry: ReminderEntry, reason: ReminderReason, escalateAfterMinutes: number): string {
  switch (reason) {
    case 'escalated':
      return `ด่วนที่สุด ยังไม่มีผู้รับเรื่องเกิน ${hoursWords(escalateAfterMinutes)} ในเวลาราชการ: แจ้งท่านในฐานะผู้บังคับบัญชา`;
    case 'urgent':
      return 'ด่วนที่สุด ยังไม่มีผู้รับเรื่อง';
    case 'deadline':
      return `ครบกำหนด${entry.urgencyDeadline ? dueWords(entry.urgencyDeadline) : ''}`;
    case 'wait-ends':
      return `ครบกำหนดรอถึงวันที่ ${formatThaiDate(entry.waitUntil ?? '')}`;
    case 'not-taken':
      return 'ยังไม่มีผู้รับเรื่อง';
  }
}

/** The reminder an officer receives: Thai, one entry per letter, most pressing first. */
export function composeReminder(facts: ReminderFacts): AcknowledgementMessage {
  const rank = (e: ReminderEntry) => Math.min(...e.reasons.map((r) => ORDER.indexOf(r)));
  const entries = [...facts.entries].sort((a, b) => rank(a) - rank(b) || a.registeredAt.getTime() - b.registeredAt.getTime());
  const lines = entries.flatMap((entry, i) => {
    const marks = [entry.urgency ? `[${entry.urgency}]` : '', entry.restricted ? '[ลับ]' : ''].filter(Boolean).join(' ');
    // A secret letter's title stays in the desk, out of mailboxes.
    const title = entry.restricted
      ? 'หนังสือชั้นความลับ โปรดดูเรื่องที่ระบบสารบรรณ'
      : (entry.title ?? entry.subject).replace(/\s+/g, ' ').trim() || '(ไม่มีชื่อเรื่อง)';
    const number = `เลขรับ ${registrationNumber(entry.number, entry.year)}${entry.bookName ? ` (${entry.bookName})` : ''}`;
    return [
      `${i + 1}. ${marks ? `${marks} ` : ''}${number} เรื่อง ${title}`,
      `   รับเมื่อ ${formatThaiDateTime(entry.registeredAt)}`,
      `   ${entry.reasons.map((r) => reasonWords(entry, r, facts.escalateAfterMinutes)).join(' / ')}`,
      ...(facts.deskUrl ? [`   ${facts.deskUrl}/letters/${entry.letterId}`] : []),
      '',
    ];
  });
  const urgent = entries.filter((e) => e.reasons.includes('urgent') || e.reasons.includes('escalated')).length;
  const text = [
    `เรียน ${facts.officerName}`,
    '',
    `รายการหนังสือที่รอการดำเนินการ ณ รอบ${slotWords(facts.slot)} จำนวน ${entries.length} ฉบับ`,
    '',
    ...lines,
    'ข้อความนี้ส่งโดยระบบอัตโนมัติของงานสารบรรณ โปรดอย่าตอบกลับ',
    '',
  ].join('\n');
  return {
    subject: `แจ้งเตือนหนังสือรอดำเนินการ ${entries.length} ฉบับ${urgent ? ` (ด่วนที่สุด ${urgent} ฉบับ)` : ''} รอบ${slotWords(facts.slot)}`,
    text,
    headers: {
      // Made by a machine, not a reply: no one should answer it automatically.
      'Auto-Submitted': 'auto-generated',
      'X-Auto-Response-Suppress': 'All',
      [LOOP_HEADER]: facts.agency.domain,
    },
  };
}
