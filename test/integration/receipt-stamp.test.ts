import { createHash } from 'node:crypto';
import { startRoles } from '../../bin/roles';
import { toThaiDigits } from '../../letter/calendar';
import { STAMP_REASONS } from '../../letter/stamp';
import { routeNewLetter } from '../../registry/work';
import { StampStopped, stampLetter, type StampDeps } from '../../worker/stamps';
import { useGatewayAndDesk } from '../support/desk';
import { registerLetterWithPdf } from '../support/letters';
import { onePagePdf, pdfText } from '../support/pdf';
import { flushPrefix, sendLetter, silent, testConfig, waitFor } from '../support/services';

// The receipt stamp (ตรารับ) as its own job after registration, on real services: a letter
// e-mailed to saraban@ with its PDF gets a stamped copy beside it, which the desk serves and its
// page shows, to those who may see the letter; an encrypted or damaged PDF gets none and the
// letter says why; the job run again changes nothing; a stamp whose job was lost is queued again.
describe('the receipt stamp of a letter e-mailed in', () => {
  const env = useGatewayAndDesk(
    [
      ['clerk', 'SARABAN'],
      ['fin1', 'FIN'],
    ],
    { centralUnit: 'SARABAN' },
  );

  const get = (who: string, path: string, accept = 'application/json') =>
    fetch(`http://127.0.0.1:${env.app.deskPort}${path}`, { headers: { authorization: `Bearer ${env.tokens[who]}`, accept } });
  const json = async (who: string, path: string) => {
    const response = await get(who, path);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const page = async (who: string, id: number) => (await get(who, `/letters/${id}`, 'text/html')).text();

  const stampOf = async (letterId: number) =>
    (await env.db.pool.query('SELECT state, reason, detail, attachment, sha256, pdf FROM letter_stamp WHERE letter_id = $1', [letterId]))
      .rows;

  /** E-mails a letter with this file attached; waits until it is registered and its stamp recorded. */
  async function mailIn(messageId: string, file: { filename: string; content: Buffer; contentType: string }) {
    expect(await sendLetter(env.app.smtpPort!, { messageId, attachments: [file] })).toMatch(/^250 /);
    const letter = await waitFor(async () => {
      const { rows } = await env.db.pool.query('SELECT id, book, year, number FROM letter WHERE message_id = $1', [messageId]);
      return rows[0] as { id: number; book: string; year: number; number: number } | undefined;
    }, `letter ${messageId} registered`);
    // Routed (to the central unit, the clerk's), then stamped.
    await waitFor(async () => (await env.db.pool.query('SELECT 1 FROM assignment WHERE letter_id = $1', [letter!.id])).rowCount, 'routed');
    await waitFor(async () => (await stampOf(letter!.id)).length === 1, `the stamp of ${messageId} recorded`);
    return letter!;
  }

  it('stamps the PDF of a letter e-mailed in with its เลขรับ, and the desk serves that copy beside the original', async () => {
    const original = onePagePdf('Letter of the Ministry of Finance');
    const letter = await mailIn('<stamp-1@mof.go.th>', { filename: 'หนังสือ.pdf', content: original, contentType: 'application/pdf' });
    const [row] = await stampOf(letter.id);
    expect(row).toMatchObject({ state: 'stamped', reason: null, attachment: 1 });

    const detail = await json('clerk', `/api/letters/${letter.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.stamp).toEqual({
      state: 'stamped',
      reason: null,
      message: null,
      url: `/api/letters/${letter.id}/stamped`,
      attachment: 1,
      stampedAt: expect.any(String),
    });

    const stamped = await get('clerk', `/api/letters/${letter.id}/stamped`);
    expect([stamped.status, stamped.headers.get('content-type')]).toEqual([200, 'application/pdf']);
    expect(stamped.headers.get('content-disposition')).toMatch(/^inline; .*filename\*=UTF-8''%E0%B8%AB.*-%E0%B8%95/);
    const copy = Buffer.from(await stamped.arrayBuffer());
    expect(createHash('sha256').update(copy).digest('hex')).toBe(row.sha256);
    const text = await pdfText(copy);
    expect(text).toContain(`เลขรับ ${toThaiDigits(`${letter.number}/${letter.year}`)}`);
    expect(text).toContain('สำนักงานทดสอบ');
    expect(text).toContain('Letter of the Ministry of Finance');

    // The original is still the file as it came.
    const kept = await get('clerk', `/api/letters/${letter.id}/attachments/1`);
    expect(Buffer.from(await kept.arrayBuffer()).equals(original)).toBe(true);

    // The letter's page frames the stamped copy, and links the original beside it.
    const html = await page('clerk', letter.id);
    expect(html).toContain(`<iframe class="pdf" src="/api/letters/${letter.id}/stamped#navpanes=0&amp;view=FitH"`);
    expect(html).toContain(`href="/api/letters/${letter.id}/attachments/1" target="_blank" rel="noopener">ต้นฉบับ หนังสือ.pdf</a>`);
  });

  it.each([
    ['an encrypted PDF', onePagePdf('Secret', { encrypted: true }), 'pdf-encrypted'],
    ['a damaged PDF', Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog', 'latin1'), 'pdf-damaged'],
  ] as const)('gives %s no stamp, and the letter and its page say why', async (what, content, reason) => {
    const letter = await mailIn(`<stamp-${reason}@mof.go.th>`, { filename: 'หนังสือ.pdf', content, contentType: 'application/pdf' });
    expect(await stampOf(letter.id)).toEqual([
      { state: 'failed', reason, detail: expect.stringMatching(/\w/), attachment: 1, sha256: null, pdf: null },
    ]);
    expect((await json('clerk', `/api/letters/${letter.id}`)).body.stamp).toMatchObject({
      state: 'failed',
      reason,
      message: STAMP_REASONS[reason],
      url: null,
    });
    expect(await json('clerk', `/api/letters/${letter.id}/stamped`)).toEqual({
      status: 404,
      body: { code: 'not-stamped', message: expect.stringContaining(STAMP_REASONS[reason]), state: 'failed', reason },
    });
    // The page shows why in Thai, and the PDF as it came.
    const html = await page('clerk', letter.id);
    expect(html).toContain(`<ul class="problems stamp"><li>${STAMP_REASONS[reason]}</li></ul>`);
    expect(html).toContain(`<iframe class="pdf" src="/api/letters/${letter.id}/attachments/1#navpanes=0&amp;view=FitH"`);
  });

  it('records a letter with no PDF as skipped, and says nothing of a stamp on its page', async () => {
    const letter = await mailIn('<stamp-jpeg@mof.go.th>', {
      filename: 'scan.jpg',
      content: Buffer.from('not really a JPEG'),
      contentType: 'image/jpeg',
    });
    expect(await stampOf(letter.id)).toEqual([
      { state: 'skipped', reason: 'no-pdf', detail: null, attachment: null, sha256: null, pdf: null },
    ]);
    expect(await json('clerk', `/api/letters/${letter.id}/stamped`)).toMatchObject({
      status: 404,
      body: { code: 'not-stamped', state: 'skipped', reason: 'no-pdf' },
    });
    const html = await page('clerk', letter.id);
    expect(html).not.toContain('class="problems stamp"');
    expect(html).toContain('ไม่มีไฟล์ PDF ให้แสดง');
  });

  it("answers another unit's officer 404 for the stamped copy, as for a letter that does not exist", async () => {
    const { rows } = await env.db.pool.query(`SELECT letter_id FROM letter_stamp WHERE state = 'stamped' LIMIT 1`);
    const id = rows[0].letter_id as number;
    expect((await get('clerk', `/api/letters/${id}/stamped`)).status).toBe(200);
    for (const path of [`/api/letters/${id}/stamped`, '/api/letters/999999/stamped']) {
      expect(await json('fin1', path)).toEqual({ status: 404, body: { code: 'not-found', message: expect.any(String) } });
    }
    expect((await get('fin1', `/api/letters/${id}`)).status).toBe(404);
  });

  describe('the stamps job itself', () => {
    const deps = (overrides: Record<string, unknown> = {}): StampDeps => ({
      config: testConfig(env.db.url, overrides),
      pool: env.db.pool,
      logger: silent,
    });

    it('run twice, or twice at once, records one stamp and leaves its bytes as the first run made them', async () => {
      const once = await registerLetterWithPdf(env.db.pool, onePagePdf('Twice'));
      expect(await stampLetter(deps(), once.id, false)).toEqual({ kind: 'stamped', reason: null, recorded: true });
      const [first] = await stampOf(once.id);
      expect(await stampLetter(deps(), once.id, false)).toEqual({ kind: 'done-before' });
      expect(await stampOf(once.id)).toEqual([first]);

      const racing = await registerLetterWithPdf(env.db.pool, onePagePdf('At once'));
      const outcomes = await Promise.all([stampLetter(deps(), racing.id, false), stampLetter(deps(), racing.id, false)]);
      const [row, ...more] = await stampOf(racing.id);
      expect(more).toEqual([]);
      expect(row.state).toBe('stamped');
      // Whichever recorded it, that one's copy is the one kept; the other changed nothing.
      expect(outcomes.filter((o) => 'recorded' in o && o.recorded)).toHaveLength(1);
      expect(createHash('sha256').update(row.pdf).digest('hex')).toBe(row.sha256);
    });

    it('tries a stamp stopped by its time limit again, and on its last attempt records why', async () => {
      const slow = await registerLetterWithPdf(env.db.pool, onePagePdf('Slow'));
      const hurried = deps({ workers: { stampTimeoutMs: 1 } });
      await expect(stampLetter(hurried, slow.id, false)).rejects.toThrow(StampStopped);
      expect(await stampOf(slow.id)).toEqual([]);
      expect(await stampLetter(hurried, slow.id, true)).toEqual({ kind: 'failed', reason: 'stamp-timeout', recorded: true });
      expect(await stampOf(slow.id)).toMatchObject([{ state: 'failed', reason: 'stamp-timeout', detail: 'no answer within 1 ms' }]);
      // Routed to the central unit as the letters job would: its officer's page says why, in Thai.
      await routeNewLetter(env.db.pool, slow.id, env.config.routing, () => new Date());
      expect(await page('clerk', slow.id)).toContain(`<ul class="problems stamp"><li>${STAMP_REASONS['stamp-timeout']}</li></ul>`);
    });
  });

  it('is queued again by the reconciler when its job was lost', async () => {
    const letter = await mailIn('<stamp-lost@mof.go.th>', {
      filename: 'หนังสือ.pdf',
      content: onePagePdf('Lost'),
      contentType: 'application/pdf',
    });
    await env.app.stop();
    // Pretend the job vanished before it ran: no stamp recorded, Redis empty.
    await env.db.pool.query('DELETE FROM letter_stamp WHERE letter_id = $1', [letter.id]);
    await flushPrefix(env.config.redis.prefix);
    env.app = await startRoles(['worker'], env.config, silent);
    await waitFor(async () => (await stampOf(letter.id))[0]?.state === 'stamped', 'the lost stamp made by a job the reconciler queued');
    const { rows } = await env.db.pool.query(
      'SELECT count(*)::int AS n FROM letter l WHERE NOT EXISTS (SELECT 1 FROM letter_stamp s WHERE s.letter_id = l.id)',
    );
    expect(rows[0].n).toBe(0);
  });
});
