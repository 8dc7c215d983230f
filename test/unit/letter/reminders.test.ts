import { THAI_GOVERNMENT_HOLIDAYS } from '../../../config/holidays';
import type { UnitNode } from '../../../letter/access';
import {
  composeReminder,
  planSlot,
  reasonsAt,
  supervisorsOf,
  type LetterToRemind,
  type Remindable,
  type ReminderEntry,
  type ReminderRules,
} from '../../../letter/reminders';
import { deadlineOf } from '../../../letter/routing';
import { slotsOfDay, type Slot } from '../../../letter/workday';

const rules: ReminderRules = {
  holidays: new Set(THAI_GOVERNMENT_HOLIDAYS.map((h) => h.date)),
  checkTimes: ['09:00', '14:00'],
  officeHours: { start: '08:30', end: '16:30' },
  urgentEveryMinutes: 60,
  escalateAfterMinutes: 240,
};
const bangkok = (local: string) => new Date(`${local}+07:00`);
/** The slot of a working day at a time, as letter/workday.ts makes it. */
const slot = (day: string, time: string): Slot => {
  const found = slotsOfDay(day, rules).find((s) => s.time === time);
  if (!found) throw new Error(`no slot at ${day} ${time}`);
  return found;
};

// กองกลาง (KK) over ฝ่ายสารบรรณ (SB): two officers of SB, its head in KK, a clerk of another unit.
const KK = 10;
const SB = 11;
const OTHER = 20;
const units: UnitNode[] = [
  { id: KK, parentId: null },
  { id: SB, parentId: KK },
  { id: OTHER, parentId: null },
];
const person = (id: number, username: string, role: Remindable['role'], unitId: number, secretClearance = false): Remindable => ({
  id,
  username,
  name: `คุณ ${username}`,
  role,
  unitId,
  secretClearance,
  email: `${username}@example.go.th`,
});
const somsri = person(1, 'somsri', 'officer', SB, true);
const somchai = person(2, 'somchai', 'officer', SB);
const head = person(3, 'head', 'supervisor', KK, true);
const other = person(4, 'other', 'officer', OTHER);
const people = [somsri, somchai, head, other];

let ids = 0;
const letter = (over: Partial<LetterToRemind> = {}): LetterToRemind => ({
  letterId: ++ids,
  state: 'assigned',
  urgency: null,
  receivedAt: bangkok('2026-02-27T15:00'),
  deadline: null,
  waitUntil: null,
  restricted: false,
  holder: { unitId: SB, officerId: null },
  ...over,
});

describe('what a letter is reminded for', () => {
  it('is its not being taken, at a check time, and nothing at a step of the hour when it is not ด่วนที่สุด', () => {
    const waiting = letter();
    expect(reasonsAt(waiting, slot('2026-03-02', '09:00'), rules)).toEqual({ holder: ['not-taken'], supervisor: [] });
    expect(reasonsAt(waiting, slot('2026-03-02', '10:00'), rules)).toEqual({ holder: [], supervisor: [] });
  });

  it('is nothing once it is taken, or before it came', () => {
    expect(reasonsAt(letter({ state: 'in_progress' }), slot('2026-03-02', '09:00'), rules).holder).toEqual([]);
    expect(reasonsAt(letter({ receivedAt: bangkok('2026-03-02T09:00:01') }), slot('2026-03-02', '09:00'), rules).holder).toEqual([]);
  });

  it('is, for ด่วนที่สุด, every step of the hour until taken, and its supervisor after four office hours', () => {
    const urgent = letter({ urgency: 'ด่วนที่สุด', receivedAt: bangkok('2026-03-02T09:30') });
    expect(reasonsAt(urgent, slot('2026-03-02', '10:00'), rules)).toEqual({ holder: ['urgent'], supervisor: [] });
    expect(reasonsAt(urgent, slot('2026-03-02', '13:00'), rules)).toEqual({ holder: ['urgent'], supervisor: [] });
    expect(reasonsAt(urgent, slot('2026-03-02', '14:00'), rules)).toEqual({ holder: ['urgent'], supervisor: ['escalated'] });
    expect(reasonsAt({ ...urgent, state: 'in_progress' }, slot('2026-03-02', '14:00'), rules)).toEqual({ holder: [], supervisor: [] });
  });

  it('counts the wait of ด่วนที่สุด in office time: one that came on Friday afternoon is not escalated at Monday 09:00', () => {
    const urgent = letter({ urgency: 'ด่วนที่สุด', receivedAt: bangkok('2026-02-27T16:00') });
    expect(reasonsAt(urgent, slot('2026-03-02', '09:00'), rules).supervisor).toEqual([]);
    expect(reasonsAt(urgent, slot('2026-03-02', '12:00'), rules).supervisor).toEqual(['escalated']);
  });

  it('is a deadline on the working day before it: Monday for Wednesday, over the holiday on Tuesday', () => {
    const due = letter({ state: 'in_progress', deadline: deadlineOf('2026-03-04'), receivedAt: bangkok('2026-02-25T10:00') });
    expect(reasonsAt(due, slot('2026-02-27', '09:00'), rules).holder).toEqual([]);
    expect(reasonsAt(due, slot('2026-03-02', '09:00'), rules).holder).toEqual(['deadline']);
    expect(reasonsAt(due, slot('2026-03-02', '14:00'), rules).holder).toEqual(['deadline']);
    expect(reasonsAt(due, slot('2026-03-02', '10:00'), rules).holder).toEqual([]);
    expect(reasonsAt(due, slot('2026-03-04', '09:00'), rules).holder).toEqual([]);
  });

  it('is a deadline on a Monday on the Friday before, and the end of a wait likewise', () => {
    const due = letter({ state: 'in_progress', deadline: deadlineOf('2026-03-02T10:00'), receivedAt: bangkok('2026-02-25T10:00') });
    expect(reasonsAt(due, slot('2026-02-27', '09:00'), rules).holder).toEqual(['deadline']);
    const waits = letter({ state: 'waiting', waitUntil: '2026-03-02', receivedAt: bangkok('2026-02-25T10:00') });
    expect(reasonsAt(waits, slot('2026-02-27', '14:00'), rules).holder).toEqual(['wait-ends']);
    expect(reasonsAt(waits, slot('2026-03-02', '09:00'), rules).holder).toEqual([]);
  });

  it('adds the deadline to a letter not yet taken', () => {
    const due = letter({ deadline: deadlineOf('2026-03-02'), receivedAt: bangkok('2026-02-25T10:00') });
    expect(reasonsAt(due, slot('2026-02-27', '09:00'), rules).holder).toEqual(['not-taken', 'deadline']);
  });
});

describe('who is reminded at a slot', () => {
  it('is each officer of a unit a letter was given to as a whole, or the one officer it was given to, once each with all their letters', () => {
    const toUnit = letter();
    const toSomsri = letter({ holder: { unitId: SB, officerId: somsri.id } });
    const plans = planSlot(slot('2026-03-02', '09:00'), [toUnit, toSomsri], people, units, rules);
    expect(plans.map((p) => [p.officer.username, p.letters])).toEqual([
      [
        'somsri',
        [
          { letterId: toUnit.letterId, reasons: ['not-taken'] },
          { letterId: toSomsri.letterId, reasons: ['not-taken'] },
        ],
      ],
      ['somchai', [{ letterId: toUnit.letterId, reasons: ['not-taken'] }]],
    ]);
  });

  it('is nobody for a letter whose holder cannot be reminded (on leave, disabled or without an address: not among the people)', () => {
    const toAbsent = letter({ holder: { unitId: SB, officerId: 99 } });
    expect(planSlot(slot('2026-03-02', '09:00'), [toAbsent], people, units, rules)).toEqual([]);
  });

  it('is, for a secret letter, only the officers named for secret mail', () => {
    const secret = letter({ restricted: true });
    expect(planSlot(slot('2026-03-02', '09:00'), [secret], people, units, rules).map((p) => p.officer.username)).toEqual(['somsri']);
  });

  it('is, for an escalation, the supervisor of the nearest unit above that has one, with the holder', () => {
    const urgent = letter({ urgency: 'ด่วนที่สุด', receivedAt: bangkok('2026-03-02T08:30'), holder: { unitId: SB, officerId: somchai.id } });
    const plans = planSlot(slot('2026-03-02', '13:00'), [urgent], people, units, rules);
    expect(plans.map((p) => [p.officer.username, p.letters[0].reasons])).toEqual([
      ['somchai', ['urgent']],
      ['head', ['escalated']],
    ]);
  });

  it('merges what a supervisor holds and what is escalated to them into one entry', () => {
    const heldByHead = letter({ urgency: 'ด่วนที่สุด', receivedAt: bangkok('2026-03-02T08:30'), holder: { unitId: KK, officerId: head.id } });
    const plans = planSlot(slot('2026-03-02', '14:00'), [heldByHead], people, units, rules);
    expect(plans).toEqual([{ officer: head, letters: [{ letterId: heldByHead.letterId, reasons: ['escalated', 'urgent'] }] }]);
  });

  it('finds no supervisor where no unit up the tree has one', () => {
    expect(supervisorsOf(OTHER, people, units)).toEqual([]);
    expect(supervisorsOf(null, people, units)).toEqual([]);
    expect(supervisorsOf(SB, people, units)).toEqual([head]);
  });
});

describe('the reminder e-mail', () => {
  const entry = (over: Partial<ReminderEntry>): ReminderEntry => ({
    letterId: 41,
    bookName: null,
    number: 12,
    year: 2569,
    title: 'ขอเชิญประชุมคณะทำงาน',
    subject: 'ที่ ศธ 0206/1457 เรื่อง ขอเชิญประชุมคณะทำงาน',
    registeredAt: new Date('2026-02-27T08:10:00Z'),
    urgency: null,
    urgencyDeadline: null,
    waitUntil: null,
    restricted: false,
    reasons: ['not-taken'],
    ...over,
  });
  const facts = {
    agency: { name: 'สำนักงานทดสอบ', domain: 'example.go.th' },
    officerName: 'สมศรี มีสุข',
    slot: '2026-03-02T09:00',
    deskUrl: 'https://saraban.example.go.th',
    escalateAfterMinutes: 240,
  };

  it('lists in Thai each letter with its number, title, date received, why and a link to its page, most pressing first', () => {
    const message = composeReminder({
      ...facts,
      entries: [
        entry({}),
        entry({ letterId: 42, number: 13, title: 'ขอข้อมูลด่วน', urgency: 'ด่วนที่สุด', reasons: ['urgent'] }),
        entry({ letterId: 43, number: 14, title: null, urgencyDeadline: '2026-03-04', urgency: 'ด่วนภายใน', reasons: ['deadline'] }),
      ],
    });
    expect(message.subject).toBe('แจ้งเตือนหนังสือรอดำเนินการ 3 ฉบับ (ด่วนที่สุด 1 ฉบับ) รอบเวลา 09.00 น. วันที่ 2 มีนาคม 2569');
    expect(message.text).toContain('เรียน สมศรี มีสุข');
    expect(message.text).toContain(
      [
        '1. [ด่วนที่สุด] เลขรับ 13/2569 เรื่อง ขอข้อมูลด่วน',
        '   รับเมื่อ 27 กุมภาพันธ์ 2569 เวลา 15.10 น.',
        '   ด่วนที่สุด ยังไม่มีผู้รับเรื่อง',
        '   https://saraban.example.go.th/letters/42',
        '',
        '2. [ด่วนภายใน] เลขรับ 14/2569 เรื่อง ที่ ศธ 0206/1457 เรื่อง ขอเชิญประชุมคณะทำงาน',
        '   รับเมื่อ 27 กุมภาพันธ์ 2569 เวลา 15.10 น.',
        '   ครบกำหนดภายในวันที่ 4 มีนาคม 2569',
        '   https://saraban.example.go.th/letters/43',
        '',
        '3. เลขรับ 12/2569 เรื่อง ขอเชิญประชุมคณะทำงาน',
      ].join('\n'),
    );
    expect(message.headers).toEqual({
      'Auto-Submitted': 'auto-generated',
      'X-Auto-Response-Suppress': 'All',
      'X-Saraban-Loop': 'example.go.th',
    });
  });

  it('has no link without the desk’s address, and keeps a secret letter’s title out of the mailbox', () => {
    const message = composeReminder({ ...facts, deskUrl: null, entries: [entry({ restricted: true, reasons: ['not-taken'] })] });
    expect(message.text).not.toContain('http');
    expect(message.text).not.toContain('ขอเชิญประชุม');
    expect(message.text).toContain('[ลับ] เลขรับ 12/2569 เรื่อง หนังสือชั้นความลับ โปรดดูเรื่องที่ระบบสารบรรณ');
  });

  it('tells a supervisor why an escalated letter is theirs, the end of a wait, and the book when there are several', () => {
    const message = composeReminder({
      ...facts,
      entries: [
        entry({ urgency: 'ด่วนที่สุด', reasons: ['escalated'], bookName: 'ทะเบียนหนังสือรับ' }),
        entry({ letterId: 44, waitUntil: '2026-03-04', reasons: ['wait-ends'] }),
      ],
    });
    expect(message.text).toContain('เลขรับ 12/2569 (ทะเบียนหนังสือรับ)');
    expect(message.text).toContain('ด่วนที่สุด ยังไม่มีผู้รับเรื่องเกิน 4 ชั่วโมง ในเวลาราชการ: แจ้งท่านในฐานะผู้บังคับบัญชา');
    expect(message.text).toContain('ครบกำหนดรอถึงวันที่ 4 มีนาคม 2569');
  });
});
