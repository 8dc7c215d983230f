import type { Letter } from '../../../letter/letter';
import {
  closingLine,
  NumberTally,
  pageNumber,
  REGISTER_HEADINGS,
  registerRow,
  registerTitle,
  type RegisterEntry,
} from '../../../letter/register-form';
import type { LetterState } from '../../../letter/transitions';
import { registeredLetter } from '../../support/registered-letter';

// The register as the regulation lays it out, for the files it is exported and printed to.
describe("the register's form", () => {
  const letter = registeredLetter();
  const entry = (over: Partial<RegisterEntry> = {}, letterOver: Partial<Letter> = {}): RegisterEntry => ({
    letter: { ...letter, ...letterOver },
    state: 'assigned',
    deadline: null,
    waitUntil: null,
    holder: 'งานการเงิน',
    action: null,
    returnedBecause: null,
    annulledBecause: null,
    duplicateOf: null,
    ...over,
  });
  const arabic = { digits: 'arabic', revealRestricted: true } as const;

  it('has the regulation’s nine columns in order', () => {
    expect(REGISTER_HEADINGS).toEqual(['วันที่', 'เลขทะเบียนรับ', 'ที่', 'ลงวันที่', 'จาก', 'ถึง', 'เรื่อง', 'การปฏิบัติ', 'หมายเหตุ']);
  });

  it('writes a letter’s row: the Thai date and time registered, its number, ที่, ลงวันที่, จาก, ถึง, เรื่อง, การปฏิบัติ', () => {
    expect(registerRow(entry(), arabic)).toEqual([
      '20 พ.ย. 2569 09.05 น.',
      '12',
      'ศธ 0206/1457',
      '18 พ.ย. 2569',
      'สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน',
      'ผู้อำนวยการ',
      'ขอเชิญประชุมคณะกรรมการ',
      'มอบหมาย งานการเงิน',
      '',
    ]);
  });

  it('writes numbers and dates in Thai digits for print, the words as written', () => {
    const row = registerRow(entry(), { digits: 'thai', revealRestricted: true });
    expect(row.slice(0, 4)).toEqual(['๒๐ พ.ย. ๒๕๖๙ ๐๙.๐๕ น.', '๑๒', 'ศธ ๐๒๐๖/๑๔๕๗', '๑๘ พ.ย. ๒๕๖๙']);
  });

  it('falls back on the date as written, the sender for จาก and the subject for เรื่อง, and leaves unread cells empty', () => {
    const row = registerRow(entry({}, { letterDate: null, agency: null, title: null, reference: null, addressee: null }), arabic);
    expect(row.slice(2, 7)).toEqual(['', '18 พฤศจิกายน 2569', 'สารบรรณ สพฐ.', '', 'ที่ ศธ 0206/1457 เรื่อง ขอเชิญประชุม']);
  });

  it('records in การปฏิบัติ the state, who holds it, the end of a wait and what was recorded done with our reply number', () => {
    const done = entry({ state: 'done', action: { text: 'โอนเงินแล้ว', replyNumber: 'ศธ 0206/88', at: new Date() } });
    expect(registerRow(done, arabic)[7]).toBe('เสร็จ งานการเงิน\nโอนเงินแล้ว (หนังสือตอบ ที่ ศธ 0206/88)');
    const waiting = entry({ state: 'waiting', waitUntil: '2026-12-01', holder: null });
    expect(registerRow(waiting, arabic)[7]).toBe('รอ\nรอถึง 1 ธ.ค. 2569');
  });

  it.each<[string, Partial<RegisterEntry>, Partial<Letter>, string]>([
    ['returned, and why', { state: 'returned', returnedBecause: 'ส่งผิดหน่วยงาน' }, {}, 'ส่งคืน: ส่งผิดหน่วยงาน'],
    ['annulled, and why', { state: 'annulled', annulledBecause: 'ลงทะเบียนซ้ำ' }, {}, 'ยกเลิก: ลงทะเบียนซ้ำ'],
    ['suspect', {}, { suspect: true }, 'น่าสงสัย: ผู้ส่งอาจถูกปลอม'],
    ['secret', {}, { restricted: true, secrecy: 'ลับมาก' }, 'ลับมาก'],
    ['the same reference as an earlier number', { duplicateOf: 3 }, {}, 'ซ้ำกับเลขรับ 3'],
    ['to be completed by a clerk', {}, { flags: ['pdf-no-text-layer', 'to-complete'] }, 'รอเจ้าหน้าที่กรอกเลขที่/วันที่'],
  ])('notes in หมายเหตุ a letter %s', (_what, over, letterOver, remark) => {
    expect(registerRow(entry(over, letterOver), arabic)[8]).toBe(remark);
  });

  it('keeps a secret letter’s date and number for a reader not named for secret mail, and nothing else of it', () => {
    const secret = entry({ state: 'annulled', annulledBecause: 'ส่งผิด' }, { restricted: true, secrecy: 'ลับ', title: 'เรื่องลับ' });
    const row = registerRow(secret, { digits: 'arabic', revealRestricted: false });
    expect(row).toEqual(['20 พ.ย. 2569 09.05 น.', '12', '', '', '', '', '', 'ยกเลิก', 'หนังสือลับ ไม่แสดงรายละเอียด']);
    expect(registerRow(secret, arabic)[6]).toBe('เรื่องลับ');
  });

  it('titles the register with the agency, the book and the year, and numbers its pages', () => {
    expect(registerTitle('สำนักงานทดสอบ', { code: 'RB', name: 'ทะเบียนหนังสือรับ' }, 2569, 'thai')).toEqual([
      'ทะเบียนหนังสือรับ',
      'สำนักงานทดสอบ',
      'ทะเบียนหนังสือรับ (RB) ปี พ.ศ. ๒๕๖๙',
    ]);
    expect(pageNumber(1, 20, 'thai')).toBe('หน้า ๑ จาก ๒๐');
    expect(pageNumber(1, 20, 'arabic')).toBe('หน้า 1 จาก 20');
  });

  describe('its closing line', () => {
    const tally = (...numbers: Array<number | [number, LetterState]>) => {
      const t = new NumberTally();
      for (const n of numbers) {
        if (typeof n === 'number') t.add(n, 'done');
        else t.add(...n);
      }
      return t;
    };

    it('says the numbers run 1 to N with none missing', () => {
      expect(closingLine(tally(1, 2, 3, 4), 'arabic')).toBe('เลขรับ 1-4 ครบ ไม่มีเลขขาด');
      expect(closingLine(tally(1, 2, 3, 4), 'thai')).toBe('เลขรับ ๑-๔ ครบ ไม่มีเลขขาด');
    });

    it('lists the numbers missing, as ranges, counting from 1', () => {
      expect(closingLine(tally(3, 4, 6, 10, 11), 'arabic')).toBe('เลขรับ 1-11 เลขขาด 6 เลข (1-2, 5, 7-9)');
    });

    it('lists the numbers annulled, whose entries stay in the register', () => {
      expect(closingLine(tally(1, [2, 'annulled'], [3, 'annulled'], 4, [6, 'annulled']), 'arabic')).toBe(
        'เลขรับ 1-6 เลขขาด 1 เลข (5) ยกเลิก 3 เลข (2-3, 6)',
      );
      expect(closingLine(tally(1, [2, 'annulled']), 'arabic')).toBe('เลขรับ 1-2 ครบ ไม่มีเลขขาด ยกเลิก 1 เลข (2)');
    });

    it('says so when the register is empty', () => {
      expect(closingLine(tally(), 'thai')).toBe('ไม่มีหนังสือลงทะเบียนรับ');
    });
  });
});
