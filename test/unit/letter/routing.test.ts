import { deadlineOf, nextInTurn, routeLetter, type LetterToRoute, type RoutingRule } from '../../../letter/routing';

const letter: LetterToRoute = {
  book: 'RB',
  fromAddress: 'saraban@obec.moe.go.th',
  agency: 'สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน',
  title: 'ขอเชิญประชุมเรื่องงบประมาณรายจ่ายประจำปี',
  subject: 'ที่ ศธ 04001/ว 123 เรื่อง ขอเชิญประชุมเรื่องงบประมาณรายจ่ายประจำปี',
  urgency: 'ด่วนที่สุด',
};

const rule = (name: string, when: RoutingRule['when'], to: RoutingRule['to'] = { unit: name.toUpperCase() }): RoutingRule => ({
  name,
  when,
  to,
});

describe('routing a registered letter', () => {
  it('sends a letter no rule takes to the central registry unit, with no rule named', () => {
    expect(routeLetter([rule('hr', { titleWords: ['บรรจุแต่งตั้ง'] })], letter, 'SARABAN')).toEqual({ rule: null, to: { unit: 'SARABAN' } });
  });

  it('takes the first rule the letter meets, not the most specific one', () => {
    const rules = [rule('urgent', { urgencies: ['ด่วนที่สุด'] }), rule('budget', { titleWords: ['งบประมาณ'] }, { officer: 'somchai' })];
    expect(routeLetter(rules, letter, 'SARABAN')).toEqual({ rule: 'urgent', to: { unit: 'URGENT' } });
    expect(routeLetter([...rules].reverse(), letter, 'SARABAN')).toEqual({ rule: 'budget', to: { officer: 'somchai' } });
  });

  it('wants every condition of a rule to hold, and any one value of each', () => {
    const both = rule('finance', { books: ['RB', 'FIN'], titleWords: ['งบประมาณ', 'พัสดุ'] });
    expect(routeLetter([both], letter, 'C').rule).toBe('finance');
    expect(routeLetter([both], { ...letter, book: 'HR' }, 'C').rule).toBeNull();
    expect(routeLetter([both], { ...letter, title: 'ขอเชิญประชุม' }, 'C').rule).toBeNull();
  });

  it('finds words in Thai titles without spaces, with Thai or Arabic digits, and in the subject when no title was read', () => {
    expect(routeLetter([rule('meeting', { titleWords: ['ประชุม'] })], letter, 'C').rule).toBe('meeting');
    const year = rule('plan', { titleWords: ['ปี ๒๕๗๐'] });
    expect(routeLetter([year], { ...letter, title: 'แผนปฏิบัติราชการ ปี 2570' }, 'C').rule).toBe('plan');
    expect(routeLetter([rule('circular', { titleWords: ['ว 123'] })], { ...letter, title: null }, 'C').rule).toBe('circular');
  });

  it('matches the sender domain and its sub-domains, never a domain that merely ends in the same letters', () => {
    const moe = rule('moe', { domains: ['moe.go.th'] });
    expect(routeLetter([moe], letter, 'C').rule).toBe('moe');
    expect(routeLetter([moe], { ...letter, fromAddress: 'a@MOE.GO.TH' }, 'C').rule).toBe('moe');
    expect(routeLetter([moe], { ...letter, fromAddress: 'a@notmoe.go.th' }, 'C').rule).toBeNull();
    expect(routeLetter([moe], { ...letter, fromAddress: null }, 'C').rule).toBeNull();
  });

  it('matches the sending agency by its name as the register writes it', () => {
    const obec = rule('obec', { agencies: ['สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน'] });
    expect(routeLetter([obec], letter, 'C').rule).toBe('obec');
    expect(routeLetter([obec], { ...letter, agency: 'สำนักงานปลัดกระทรวงศึกษาธิการ' }, 'C').rule).toBeNull();
    expect(routeLetter([obec], { ...letter, agency: null }, 'C').rule).toBeNull();
  });

  it('matches urgency only on a letter marked so', () => {
    const urgent = rule('urgent', { urgencies: ['ด่วนที่สุด', 'ด่วนมาก'] });
    expect(routeLetter([urgent], { ...letter, urgency: 'ด่วนมาก' }, 'C').rule).toBe('urgent');
    expect(routeLetter([urgent], { ...letter, urgency: 'ด่วน' }, 'C').rule).toBeNull();
    expect(routeLetter([urgent], { ...letter, urgency: null }, 'C').rule).toBeNull();
  });
});

describe('round robin among the officers of a unit on duty', () => {
  it('gives each officer a letter in turn, by id, and starts again at the first', () => {
    const turns: Array<number | null> = [];
    let last: number | null = null;
    for (let i = 0; i < 5; i++) turns.push((last = nextInTurn([12, 4, 9], last)));
    expect(turns).toEqual([4, 9, 12, 4, 9]);
  });

  it('passes over an officer gone on leave and takes the next one after them', () => {
    expect(nextInTurn([4, 12], 9)).toBe(12);
    expect(nextInTurn([4, 9], 12)).toBe(4);
  });

  it('chooses nobody when nobody is on duty', () => {
    expect(nextInTurn([], 4)).toBeNull();
  });
});

describe('the deadline of a letter marked ด่วนภายใน', () => {
  it('is the end of the day in Bangkok for a date, and the time itself for a date and time', () => {
    expect(deadlineOf('2026-12-05')).toEqual(new Date('2026-12-05T17:00:00Z'));
    expect(deadlineOf('2026-12-05T10:30')).toEqual(new Date('2026-12-05T03:30:00Z'));
  });

  it('is none for no deadline or one that is not a real date or time', () => {
    expect(deadlineOf(null)).toBeNull();
    expect(deadlineOf('2026-02-30')).toBeNull();
    expect(deadlineOf('2026-12-05T25:00')).toBeNull();
    expect(deadlineOf('5 ธ.ค. 69')).toBeNull();
  });
});
