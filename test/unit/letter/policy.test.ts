import { decide, isComplete, type DecisionInputs } from '../../../letter/policy';

const letter: DecisionInputs = {
  forged: false,
  onForged: 'suspect',
  secrecy: null,
  complete: true,
  letterUnreadable: false,
};

describe('what happens to a message', () => {
  it('registers a complete letter from an authentic or unverified sender and acknowledges it', () => {
    expect(decide(letter)).toEqual({
      action: 'register',
      suspect: false,
      restricted: false,
      reply: { kind: 'acknowledgement' },
      duplicateNotice: 'duplicate',
    });
  });

  it('registers a forged letter as suspect and mails nobody (the default policy)', () => {
    expect(decide({ ...letter, forged: true })).toEqual({
      action: 'register',
      suspect: true,
      restricted: false,
      reply: null,
      duplicateNotice: null,
    });
  });

  it('refuses a forged letter without telling anyone when the policy says refuse', () => {
    expect(decide({ ...letter, forged: true, onForged: 'refuse' })).toEqual({
      action: 'refuse',
      outcome: 'refused',
      reason: 'forged',
      notice: null,
    });
  });

  it('acknowledges even a forged letter when the policy says acknowledge', () => {
    expect(decide({ ...letter, forged: true, onForged: 'acknowledge' })).toMatchObject({
      action: 'register',
      suspect: false,
      reply: { kind: 'acknowledgement' },
    });
  });

  it('holds a ลับที่สุด letter for the supervisor and tells the sender to use another channel', () => {
    expect(decide({ ...letter, secrecy: 'ลับที่สุด' })).toEqual({
      action: 'hold',
      outcome: 'held',
      reason: 'top-secret',
      notice: 'top-secret',
    });
    expect(decide({ ...letter, secrecy: 'ลับที่สุด', forged: true })).toMatchObject({ action: 'hold', notice: null });
  });

  it('registers ลับมาก and ลับ letters with restricted visibility', () => {
    expect(decide({ ...letter, secrecy: 'ลับมาก' })).toMatchObject({ action: 'register', restricted: true });
    expect(decide({ ...letter, secrecy: 'ลับ' })).toMatchObject({ action: 'register', restricted: true });
  });

  it('refuses a message without a letter and asks for it to be sent again with the letter attached', () => {
    expect(decide({ ...letter, complete: false })).toEqual({
      action: 'refuse',
      outcome: 'refused',
      reason: 'no-letter-attached',
      notice: 'no-letter-attached',
    });
    expect(decide({ ...letter, complete: false, forged: true })).toMatchObject({ notice: null });
  });

  it('registers a letter whose PDF cannot be read, and asks for a readable copy instead of acknowledging', () => {
    expect(decide({ ...letter, letterUnreadable: true })).toMatchObject({
      action: 'register',
      reply: { kind: 'notice', reason: 'unreadable-letter' },
    });
  });
});

describe('is there a letter', () => {
  const rule = { types: ['application/pdf', 'image/*', 'application/ms-tnef'], extensions: ['pdf', 'docx', 'zip'], minBodyChars: 40 };

  it('finds one in an attachment of an allowed type or extension', () => {
    expect(isComplete([{ filename: 'หนังสือ.pdf', contentType: 'application/octet-stream' }], '', rule)).toBe(true);
    expect(isComplete([{ filename: 'scan', contentType: 'image/tiff' }], '', rule)).toBe(true);
    expect(isComplete([{ filename: 'winmail.dat', contentType: 'application/ms-tnef' }], '', rule)).toBe(true);
    expect(isComplete([{ filename: 'LETTER.DOCX', contentType: 'application/octet-stream' }], '', rule)).toBe(true);
  });

  it('does not count other files, or a name that is only an extension-like word', () => {
    expect(isComplete([{ filename: 'setup.exe', contentType: 'application/x-msdownload' }], 'ส่งหนังสือตามไฟล์แนบครับ', rule)).toBe(false);
    expect(isComplete([{ filename: 'pdf', contentType: 'application/octet-stream' }], '', rule)).toBe(false);
  });

  it('accepts a body long enough to be the letter itself', () => {
    expect(isComplete([], 'ส่งหนังสือตามไฟล์แนบครับ', rule)).toBe(false);
    expect(isComplete([], 'เรียน ผู้อำนวยการ ด้วยสำนักงานมีความประสงค์ขอเชิญท่านเข้าร่วมประชุม', rule)).toBe(true);
  });
});
