import { ConfigError, parseConfig } from '../../../config/load';

const base = {
  agency: { name: 'สำนักงานทดสอบ', domain: 'example.go.th' },
  books: [{ code: 'RB', name: 'ทะเบียนหนังสือรับ', addresses: ['saraban@example.go.th'] }],
};

describe('routing settings', () => {
  it('send every letter to the SARABAN unit when the settings name no rule', () => {
    expect(parseConfig(base).routing).toEqual({ centralUnit: 'SARABAN', rules: [] });
  });

  it('take one value or a list for each condition, and domains in any case', () => {
    const { routing } = parseConfig({
      ...base,
      routing: {
        centralUnit: 'CENTRAL',
        rules: [
          { name: 'งบประมาณ', when: { titleWords: 'งบประมาณ', domains: ['CGD.go.th'], urgencies: 'ด่วนที่สุด' }, to: { unit: 'FIN' } },
          { name: 'จากกระทรวง', when: { books: 'RB', agencies: ['กระทรวงศึกษาธิการ'] }, to: { officer: 'somchai' } },
        ],
      },
    });
    expect(routing.rules).toEqual([
      { name: 'งบประมาณ', when: { titleWords: ['งบประมาณ'], domains: ['cgd.go.th'], urgencies: ['ด่วนที่สุด'] }, to: { unit: 'FIN' } },
      { name: 'จากกระทรวง', when: { books: ['RB'], agencies: ['กระทรวงศึกษาธิการ'] }, to: { officer: 'somchai' } },
    ]);
  });

  it.each([
    ['a rule with no condition', { name: 'x', when: {}, to: { unit: 'A' } }, 'give at least one condition'],
    ['an unknown condition', { name: 'x', when: { sender: 'a@b' }, to: { unit: 'A' } }, 'sender'],
    ['an urgency that is not a marking', { name: 'x', when: { urgencies: 'ด่วนพิเศษ' }, to: { unit: 'A' } }, 'urgencies'],
    ['a target that is both a unit and an officer', { name: 'x', when: { books: 'RB' }, to: { unit: 'A', officer: 'b' } }, 'to'],
    ['a book the settings do not have', { name: 'x', when: { books: 'HR' }, to: { unit: 'A' } }, 'no book "HR" in books'],
  ])('refuse %s, naming it', (_what, rule, named) => {
    expect(() => parseConfig({ ...base, routing: { rules: [rule] } })).toThrow(ConfigError);
    expect(() => parseConfig({ ...base, routing: { rules: [rule] } })).toThrow(named);
  });

  it('refuse two rules of one name, since the name is what an assignment records', () => {
    const rule = { name: 'ซ้ำ', when: { books: 'RB' }, to: { unit: 'A' } };
    expect(() => parseConfig({ ...base, routing: { rules: [rule, rule] } })).toThrow('two rules are named "ซ้ำ"');
  });
});
