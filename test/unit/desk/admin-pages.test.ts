import { z } from 'zod';
import { peopleRefusal, unitOptions, unitTree } from '../../../desk/pages/admin/shared';
import { deskFormat } from '../../../desk/pages/format';
import { optionalText, readForm, requiredText, yesNo } from '../../../desk/pages/forms';
import { PeopleError } from '../../../registry/officers';

describe('the unit tree of the admin pages', () => {
  // Listed by code, as the register lists them: a child may come before its parent.
  const units = [
    { id: 3, code: 'A-1', name: 'ฝ่ายหนึ่ง', parentId: 1 },
    { id: 4, code: 'A-1-X', name: 'งานเอ็กซ์', parentId: 3 },
    { id: 1, code: 'B', name: 'กองบี', parentId: null },
    { id: 2, code: 'C', name: 'กองซี', parentId: null },
  ];

  it('puts each unit under its parent, depth by depth, whatever order they were listed in', () => {
    expect(unitTree(units).map(({ unit, depth }) => `${depth}:${unit.code}`)).toEqual(['0:B', '1:A-1', '2:A-1-X', '0:C']);
  });

  it('indents a select’s options by depth, escapes names and marks the one selected', () => {
    const markup = unitOptions([...units, { id: 5, code: 'D', name: '<b>ดี</b>', parentId: null }], 'A-1', '— ไม่มี —').markup;
    expect(markup).toContain('<option value="">— ไม่มี —</option>');
    expect(markup).toContain('<option value="A-1" selected>\u00a0\u00a0\u00a0ฝ่ายหนึ่ง (A-1)</option>');
    expect(markup).toContain('&lt;b&gt;ดี&lt;/b&gt; (D)');
  });
});

describe('the admin forms', () => {
  const Form = z.object({ name: requiredText('ชื่อ สกุล'), phone: optionalText('โทรศัพท์', 5), cleared: yesNo('สิทธิ์หนังสือลับ') });

  it('reads a form, empty optional fields as not given', () => {
    expect(readForm(Form, { name: ' สมชาย ', phone: '', cleared: 'true' })).toEqual({ name: 'สมชาย', phone: undefined, cleared: true });
  });

  it('refuses with a Thai message naming each field that is wrong', () => {
    expect(() => readForm(Form, { phone: '0123456789', cleared: 'maybe' })).toThrow(
      expect.objectContaining({ statusCode: 400, message: 'กรุณากรอกชื่อ สกุล โทรศัพท์ยาวเกินไป กรุณาเลือกสิทธิ์หนังสือลับ' }),
    );
  });

  it('says each refusal of the register in Thai, with the status a page answers, and leaves other errors alone', () => {
    const say = peopleRefusal(deskFormat('arabic'));
    expect(say(new PeopleError('officer-exists', 'there is already an officer "x"'))).toMatchObject({
      statusCode: 409,
      code: 'officer-exists',
    });
    expect(say(new PeopleError('no-officer', 'no officer "x"'))).toMatchObject({ statusCode: 404, message: 'ไม่พบเจ้าหน้าที่ผู้นี้' });
    expect(say(new PeopleError('unusable-username', '...'))?.message).toContain('64');
    expect(peopleRefusal(deskFormat('thai'))(new PeopleError('unusable-username', '...'))?.message).toContain('๖๔');
    expect(say(new Error('connection lost'))).toBeNull();
  });
});
