import { Writable } from 'node:stream';
import type { Letter } from '../../../letter/letter';
import type { RegisterEntry } from '../../../letter/register-form';
import { exportEntry, writeRegister } from '../../../registry/register-export';
import { registeredLetter } from '../../support/registered-letter';

// `saraban export` as scripts read it (README, "Export"): these names, in this order.
describe('the exported register', () => {
  const letter = registeredLetter({
    registeredAt: new Date('2026-11-20T03:04:05.678Z'),
    attachments: [{ filename: 'หนังสือ.pdf', contentType: 'application/pdf', size: 1234, sha256: 'ab'.repeat(32) }],
    letterDateWritten: '20 พฤศจิกายน 2569',
    letterDate: '2026-11-20',
    title: 'ขอเชิญประชุม',
    urgency: 'ด่วน',
    secrecy: 'ลับ',
    restricted: true,
    flags: ['pdf-no-text-layer'],
  });

  /** The letter in the register, as the desk left it. */
  const inRegister = (l: Letter): RegisterEntry => ({
    letter: l,
    state: 'done',
    deadline: new Date('2026-11-27T10:00:00.000Z'),
    waitUntil: null,
    holder: 'งานการเงิน',
    action: { text: 'โอนเงินแล้ว', replyNumber: 'ศธ 0206/88', at: new Date('2026-11-21T02:00:00.000Z') },
    returnedBecause: null,
    annulledBecause: null,
    duplicateOf: 3,
  });

  it("prints an entry with the e-mail facts, then the register columns, then the desk's, and nothing the database keeps for itself", () => {
    const entry = exportEntry(inRegister(letter));
    expect(Object.keys(entry)).toEqual([
      'book',
      'year',
      'number',
      'registeredAt',
      'messageId',
      'from',
      'fromName',
      'subject',
      'attachments',
      'reference',
      'letterDate',
      'agency',
      'addressee',
      'title',
      'urgency',
      'secrecy',
      'circular',
      'suspect',
      'restricted',
      'state',
      'deadline',
      'referenceNormalised',
      'authenticity',
      'duplicateOf',
      'action',
    ]);
    expect(entry).toEqual({
      book: 'RB',
      year: 2569,
      number: 12,
      registeredAt: '2026-11-20T03:04:05.678Z',
      messageId: '<letter-12@moe.go.th>',
      from: 'saraban@moe.go.th',
      fromName: 'สารบรรณ สพฐ.',
      subject: 'ที่ ศธ 0206/1457 เรื่อง ขอเชิญประชุม',
      attachments: [{ filename: 'หนังสือ.pdf', contentType: 'application/pdf', size: 1234, sha256: 'ab'.repeat(32) }],
      reference: 'ศธ 0206/1457',
      letterDate: '2026-11-20',
      agency: 'สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน',
      addressee: 'ผู้อำนวยการ',
      title: 'ขอเชิญประชุม',
      urgency: 'ด่วน',
      secrecy: 'ลับ',
      circular: false,
      suspect: false,
      restricted: true,
      state: 'done',
      deadline: '2026-11-27T10:00:00.000Z',
      referenceNormalised: 'ศธ0206/1457',
      authenticity: 'authentic',
      duplicateOf: 3,
      action: { text: 'โอนเงินแล้ว', replyNumber: 'ศธ 0206/88', recordedAt: '2026-11-21T02:00:00.000Z' },
    });
  });

  it('prints each attachment as received, whatever else its stored record holds', () => {
    const stored = { ...letter.attachments[0], content: 'not exported' };
    expect(exportEntry(inRegister({ ...letter, attachments: [stored] })).attachments).toEqual([letter.attachments[0]]);
  });

  /** What writeRegister writes for these letters, handed over as a cursor would hand them. */
  async function written(letters: Letter[], format: 'json' | 'csv'): Promise<string> {
    const chunks: Buffer[] = [];
    const out = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    });
    await writeRegister(
      async function* () {
        yield* letters.map(inRegister);
      },
      { format, form: 'fields', year: 2569 },
      out,
    );
    return Buffer.concat(chunks).toString('utf8');
  }

  it('writes CSV with a byte-order mark, one cell for the files, and the same header for an empty register', async () => {
    const header =
      'book,year,number,registeredAt,messageId,from,fromName,subject,attachments,reference,letterDate,agency,addressee,title,urgency,secrecy,circular,suspect,restricted';
    const [first, second] = (await written([letter], 'csv')).split('\n');
    expect(first).toBe(`\uFEFF${header}`);
    expect(second).toBe(
      `RB,2569,12,2026-11-20T03:04:05.678Z,<letter-12@moe.go.th>,saraban@moe.go.th,สารบรรณ สพฐ.,ที่ ศธ 0206/1457 เรื่อง ขอเชิญประชุม,` +
        `"หนังสือ.pdf (1234 bytes, sha256 ${'ab'.repeat(32)})",ศธ 0206/1457,2026-11-20,สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน,ผู้อำนวยการ,ขอเชิญประชุม,ด่วน,ลับ,,,1`,
    );
    expect(await written([], 'csv')).toBe(`\uFEFF${header}\n`);
  });

  it.each([0, 1, 3])('writes JSON, %i entries, byte for byte as the whole array two spaces deep with a newline', async (count) => {
    // Values with what JSON escapes or nests: quotes, a newline, Thai, several files, nulls.
    const letters = Array.from({ length: count }, (_, i) => ({
      ...letter,
      number: i + 1,
      subject: `เรื่อง "ประชุม"\nครั้งที่ ${i + 1}`,
      attachments: [...letter.attachments, { ...letter.attachments[0], filename: `แนบ ${i}.pdf` }],
      reference: i === 1 ? null : letter.reference,
    }));
    expect(await written(letters, 'json')).toBe(
      JSON.stringify(
        letters.map((l) => exportEntry(inRegister(l))),
        null,
        2,
      ) + '\n',
    );
  });
});
