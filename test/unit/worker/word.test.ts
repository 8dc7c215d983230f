import { docxFile } from '../../../devkit/docx';
import { readWordDocument } from '../../../worker/pdf';
import { roomy } from '../../support/pdf';

describe('reading a Word (.docx) letter in a reader thread', () => {
  it("reads the Thai text of the letter's paragraphs", async () => {
    const docx = await docxFile(['ที่ ศธ ๐๔๐๐๒/ว๑๒๓', 'เรื่อง ขอเชิญประชุมคณะกรรมการ', 'เรียน ผู้ว่าราชการจังหวัด']);
    const read = await readWordDocument(docx, { memoryBytes: roomy() });
    expect(read.problems).toEqual([]);
    expect(read.text).toBe('ที่ ศธ ๐๔๐๐๒/ว๑๒๓\n\nเรื่อง ขอเชิญประชุมคณะกรรมการ\n\nเรียน ผู้ว่าราชการจังหวัด');
  });

  it('keeps only about a first page of a long document, where its markings are', async () => {
    const read = await readWordDocument(await docxFile(Array.from({ length: 2000 }, (_, i) => `ย่อหน้าที่ ${i}`)), { memoryBytes: roomy() });
    expect(read.text!.length).toBeLessThanOrEqual(4000);
    expect(read.text).toMatch(/^ย่อหน้าที่ 0\n/);
  });

  it('says why a damaged .docx or an old binary .doc could not be read, and reads the next one', async () => {
    const good = await docxFile(['เรื่อง ทดสอบ']);
    const damaged = Buffer.concat([good.subarray(0, 40), Buffer.alloc(200, 7)]);
    expect(await readWordDocument(damaged, { memoryBytes: roomy() })).toEqual({
      text: null,
      problems: [{ kind: 'word-unreadable', detail: expect.stringMatching(/\w/) }],
    });
    const oldDoc = Buffer.from('d0cf11e0a1b11ae1' + '00'.repeat(500), 'hex');
    expect(await readWordDocument(oldDoc, { memoryBytes: roomy() })).toEqual({
      text: null,
      problems: [{ kind: 'word-unreadable', detail: 'not a zip file, as a .docx is (an older .doc, or an encrypted document)' }],
    });
    expect((await readWordDocument(good, { memoryBytes: roomy() })).text).toBe('เรื่อง ทดสอบ');
  });

  it('gives up on a document that takes longer than the time allowed', async () => {
    const big = await docxFile(Array.from({ length: 20_000 }, (_, i) => `ย่อหน้ายาว ${i} `.repeat(20)));
    const read = await readWordDocument(big, { timeoutMs: 1, memoryBytes: roomy() });
    expect(read).toEqual({ text: null, problems: [{ kind: 'word-unreadable', detail: 'no answer within 1 ms' }] });
  });
});
