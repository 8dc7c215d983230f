import { maySee, standingsOf, unitsUnder, type AssignmentSeen, type LetterSeen, type Officer, type UnitNode } from '../../../letter/access';

// กอง 1 with ฝ่าย 2 and ฝ่าย 3 under it, งาน 4 under ฝ่าย 2; กอง 5 stands apart.
const units: UnitNode[] = [
  { id: 1, parentId: null },
  { id: 2, parentId: 1 },
  { id: 3, parentId: 1 },
  { id: 4, parentId: 2 },
  { id: 5, parentId: null },
];

const officer = (id: number, role: Officer['role'], unitId: number | null, secretClearance = false): Officer => ({
  id,
  username: `o${id}`,
  name: `เจ้าหน้าที่ ${id}`,
  role,
  unitId,
  secretClearance,
});

const toUnit = (unitId: number, purpose: AssignmentSeen['purpose'] = 'act', open = true): AssignmentSeen => ({
  unitId,
  officerId: null,
  purpose,
  open,
});
const toOfficer = (officerId: number, unitId: number, purpose: AssignmentSeen['purpose'] = 'act', open = true): AssignmentSeen => ({
  unitId,
  officerId,
  purpose,
  open,
});
const letter = (...assignments: AssignmentSeen[]): LetterSeen => ({ restricted: false, assignments });

describe('the units a supervisor looks after', () => {
  it('are their unit and every unit below it, however deep', () => {
    expect([...unitsUnder(units, 1)].sort()).toEqual([1, 2, 3, 4]);
    expect([...unitsUnder(units, 2)].sort()).toEqual([2, 4]);
    expect([...unitsUnder(units, 4)]).toEqual([4]);
  });
});

describe('who sees a letter', () => {
  it('shows an officer letters assigned to them or to their unit as a whole', () => {
    const clerk = officer(10, 'officer', 2);
    expect(maySee(clerk, letter(toUnit(2)), units)).toBe(true);
    expect(maySee(clerk, letter(toOfficer(10, 2)), units)).toBe(true);
    expect(maySee(clerk, letter(toUnit(3)), units)).toBe(false);
  });

  it('hides from an officer a letter assigned to a colleague of their unit in person, and letters of the units below', () => {
    const clerk = officer(10, 'officer', 2);
    expect(maySee(clerk, letter(toOfficer(11, 2)), units)).toBe(false);
    expect(maySee(clerk, letter(toUnit(4)), units)).toBe(false);
  });

  it('keeps showing a letter to those it passed through after it was forwarded on', () => {
    const clerk = officer(10, 'officer', 2);
    expect(maySee(clerk, letter(toOfficer(10, 2, 'act', false), toUnit(5)), units)).toBe(true);
  });

  it('shows a supervisor the letters of their unit and the units below it, to the unit or to any officer in it', () => {
    const head = officer(20, 'supervisor', 2);
    expect(maySee(head, letter(toUnit(2)), units)).toBe(true);
    expect(maySee(head, letter(toUnit(4)), units)).toBe(true);
    expect(maySee(head, letter(toOfficer(11, 4)), units)).toBe(true);
    expect(maySee(head, letter(toUnit(3)), units)).toBe(false);
    expect(maySee(head, letter(toUnit(1)), units)).toBe(false);
  });

  it('shows an admin every letter, even one routed nowhere', () => {
    expect(maySee(officer(1, 'admin', null), letter(), units)).toBe(true);
    expect(maySee(officer(20, 'supervisor', 1), letter(), units)).toBe(false);
  });

  it('shows ลับ and ลับมาก letters only to officers named for secret mail, admin included', () => {
    const secret: LetterSeen = { restricted: true, assignments: [toUnit(2)] };
    expect(maySee(officer(10, 'officer', 2), secret, units)).toBe(false);
    expect(maySee(officer(10, 'officer', 2, true), secret, units)).toBe(true);
    expect(maySee(officer(20, 'supervisor', 1), secret, units)).toBe(false);
    expect(maySee(officer(1, 'admin', null), secret, units)).toBe(false);
    expect(maySee(officer(1, 'admin', null, true), secret, units)).toBe(true);
  });
});

describe('how an officer stands to a letter', () => {
  it('makes the holder of the open act assignment its assignee, and a colleague of the unit too when it is the unit’s', () => {
    expect(standingsOf(officer(10, 'officer', 2), letter(toUnit(2)), units)).toEqual(new Set(['assignee']));
    expect(standingsOf(officer(10, 'officer', 2), letter(toUnit(2, 'act', false), toOfficer(11, 2)), units)).toEqual(new Set());
  });

  it('leaves the last holder its assignee once the letter is done, so they may reopen it', () => {
    expect(standingsOf(officer(10, 'officer', 2), letter(toUnit(5, 'act', false), toOfficer(10, 2, 'act', false)), units)).toEqual(
      new Set(['assignee']),
    );
  });

  it('makes the holder of a to-know assignment a reader, not an assignee', () => {
    expect(standingsOf(officer(10, 'officer', 2), letter(toUnit(5), toUnit(2, 'know')), units)).toEqual(new Set(['reader']));
  });

  it('gives a supervisor the supervisor standing only over letters of their part of the tree, and an admin over all', () => {
    expect(standingsOf(officer(20, 'supervisor', 1), letter(toUnit(4)), units)).toEqual(new Set(['supervisor']));
    expect(standingsOf(officer(20, 'supervisor', 2), letter(toUnit(3)), units)).toEqual(new Set());
    expect(standingsOf(officer(1, 'admin', null), letter(), units)).toEqual(new Set(['supervisor']));
  });

  it('makes the head of a unit sent a copy to know a reader of the letter, not its supervisor', () => {
    expect(standingsOf(officer(20, 'supervisor', 3), letter(toUnit(2), toUnit(3, 'know')), units)).toEqual(new Set(['reader']));
  });

  it('gives no standing at all on a letter the officer may not see', () => {
    expect(standingsOf(officer(10, 'officer', 2), { restricted: true, assignments: [toUnit(2)] }, units)).toEqual(new Set());
  });
});
