import { Queue } from 'bullmq';
import { runPeopleCommand, type Output } from '../../bin/people';
import type { Config } from '../../config/load';
import type { Officer } from '../../letter/access';
import type { Action } from '../../letter/transitions';
import { slotsOfDay } from '../../letter/workday';
import { createPool } from '../../registry/db';
import { setOnDuty } from '../../registry/officers';
import { recordReminder } from '../../registry/reminders';
import { performAction, type WorkDeps } from '../../registry/work';
import { startWorkers, type WorkerRole } from '../../worker';
import { createQueues, producerConnection, queueReminder, type Queues } from '../../worker/queues';
import { REMINDER_SCHEDULER, REMINDERS_QUEUE, remindDue, reminderRules, type ReminderDeps } from '../../worker/reminders';
import { addOfficer, addUnit, registerTestLetter } from '../support/letters';
import { flushPrefix, replyRules, silent, testConfig, useDatabaseAndRelay, waitFor } from '../support/services';

// Reminders on the real services: the job run with the test's clock over weekends and holidays,
// the e-mails through the mail queue to an SMTP sink, and the BullMQ scheduler two workers share.
describe('reminders that follow the working day', () => {
  const env = useDatabaseAndRelay();
  let config: Config;
  let redis: ReturnType<typeof producerConnection>;
  let queues: Queues;
  let workers: WorkerRole;
  let deps: ReminderDeps;
  let work: WorkDeps;
  let now = new Date();
  const o: Record<string, Officer> = {};
  const unit: Record<string, number> = {};

  /** An instant by a clock in Bangkok. */
  const bangkok = (local: string) => new Date(`${local}+07:00`);

  beforeAll(async () => {
    // reminders.enabled stays false (testConfig): no scheduler here, the tests run the job with their clock.
    config = testConfig(env.db.url, { relay: { url: env.relay.url }, desk: { port: 0, publicUrl: 'https://saraban.example.go.th' } });
    redis = producerConnection(config);
    queues = createQueues(config, redis);
    // The mail worker sends what the job queues.
    workers = startWorkers(config, env.db.pool, silent);
    deps = { config, pool: env.db.pool, logger: silent, queueReminder: (id) => queueReminder(queues, id) };
    work = { pool: env.db.pool, clock: () => now, replies: { limits: replyRules(), host: 'example.go.th' } };

    const pool = env.db.pool;
    unit.KK = await addUnit(pool, 'KK', 'กองกลาง');
    unit.SB = await addUnit(pool, 'SB', 'ฝ่ายสารบรรณ', 'KK');
    o.admin = await addOfficer(pool, { username: 'admin', role: 'admin', secretClearance: true });
    for (const username of ['somsri', 'somchai', 'nomail', 'onleave']) o[username] = await addOfficer(pool, { username, unit: 'SB' });
    o.head = await addOfficer(pool, { username: 'head', unit: 'KK', role: 'supervisor' });
    // Addresses as the operator gives them, through the command.
    for (const username of ['somsri', 'somchai', 'onleave', 'head']) {
      expect(await people('officer', ['set-email', '--username', username, '--email', `${username}@Example.go.th`])).toMatchObject({
        code: 0,
      });
    }
    await setOnDuty(pool, 'onleave', false, { actor: 'operator:test', at: new Date() });
  });

  afterAll(async () => {
    await workers.close();
    await queues.close();
    await redis.quit();
    await flushPrefix(config.redis.prefix);
  });

  beforeEach(() => {
    env.relay.messages.length = 0;
  });

  // What one test left open is not the next one's to be reminded of.
  afterEach(async () => {
    await env.db.pool.query(`UPDATE letter_work SET state = 'done', wait_until = NULL WHERE state <> 'done'`);
  });

  /** `saraban <command> ...` as bin/saraban.ts runs it, in this process. */
  async function people(command: string, args: string[]) {
    let stderr = '';
    const io: Output = { out: () => undefined, err: (t) => void (stderr += t), readInput: async () => '' };
    const code = await runPeopleCommand(config, command, args, io);
    return { code, stderr };
  }

  const act = async (officer: Officer, letterId: number, action: Action, at: Date) => {
    now = at;
    expect(await performAction(work, officer, letterId, action)).toMatchObject({ kind: 'done' });
  };

  /**
   * A letter registered at `at`, given by the admin to a unit as a whole or to one officer, to act.
   * A book's registration times only rise (registry/letters.ts): the tests go forward in time.
   */
  async function letterFor(
    to: { unitId: number } | { officerId: number },
    at: Date,
    details: Parameters<typeof registerTestLetter>[1] = {},
  ) {
    const letter = await registerTestLetter(env.db.pool, details, { at });
    await act(o.admin, letter.id, { kind: 'forward', to, purpose: 'act', note: null }, at);
    return letter;
  }

  /** The job run by a clock that moves every `stepMinutes` from `from` to `to`, as the scheduler would (more seldom). */
  async function runClock(from: Date, to: Date, stepMinutes = 15, run: (at: Date) => Promise<unknown> = (at) => remindDue(deps, at)) {
    for (let t = from.getTime(); t <= to.getTime(); t += stepMinutes * 60_000) await run(new Date(t));
  }

  /** The reminders recorded for the slots from `since` to `until` (dates, or slot keys): slot, officer, and the letters with why. */
  async function reminders(since: string, until: string) {
    const { rows } = await env.db.pool.query(
      `SELECT r.slot, o.username, r.recipient, r.letters FROM reminder r JOIN officer o ON o.id = r.officer_id
        WHERE r.slot >= $1 AND r.slot < $2 || 'Z' ORDER BY r.slot, o.username`,
      [since, until],
    );
    return rows.map((r) => [r.slot, r.username, r.letters.map((l: { letterId: number; reasons: string[] }) => [l.letterId, ...l.reasons])]);
  }

  const allSent = (count: number) =>
    waitFor(async () => {
      const { rows } = await env.db.pool.query(`SELECT count(*)::int AS n FROM reminder WHERE status = 'sent'`);
      return rows[0].n >= count;
    }, `${count} reminders sent`);

  it('reminds no one on the weekend or on วันมาฆบูชา, and each on-duty officer with an address at Monday’s and Wednesday’s check times', async () => {
    // Friday 27 February 2569, after the afternoon check.
    const toSomsri = await letterFor({ officerId: o.somsri.id }, bangkok('2026-02-27T15:00'), { title: 'ขอเชิญประชุมคณะทำงาน' });
    const toUnit = await letterFor({ unitId: unit.SB }, bangkok('2026-02-27T15:05'), { title: 'ขอข้อมูลบุคลากร' });
    const sentBefore = (await env.db.pool.query(`SELECT count(*)::int AS n FROM reminder`)).rows[0].n;

    await runClock(bangkok('2026-02-27T15:00'), bangkok('2026-03-04T09:30'));

    expect(await reminders('2026-02-27', '2026-03-04')).toEqual([
      ['2026-03-02T09:00', 'somchai', [[toUnit.id, 'not-taken']]],
      [
        '2026-03-02T09:00',
        'somsri',
        [
          [toSomsri.id, 'not-taken'],
          [toUnit.id, 'not-taken'],
        ],
      ],
      ['2026-03-02T14:00', 'somchai', [[toUnit.id, 'not-taken']]],
      [
        '2026-03-02T14:00',
        'somsri',
        [
          [toSomsri.id, 'not-taken'],
          [toUnit.id, 'not-taken'],
        ],
      ],
      ['2026-03-04T09:00', 'somchai', [[toUnit.id, 'not-taken']]],
      [
        '2026-03-04T09:00',
        'somsri',
        [
          [toSomsri.id, 'not-taken'],
          [toUnit.id, 'not-taken'],
        ],
      ],
    ]);

    // Each through the relay, in Thai, to the address the operator gave (kept in lower case).
    await allSent(sentBefore + 6);
    await waitFor(() => env.relay.messages.length === 6, 'six reminders at the relay');
    const monday = env.relay.messages.find(
      (m) => m.envelope.rcptTo[0] === 'somsri@example.go.th' && m.parsed.subject?.includes('09.00 น. วันที่ 2 มีนาคม 2569'),
    );
    expect(monday?.parsed.subject).toBe('แจ้งเตือนหนังสือรอดำเนินการ 2 ฉบับ รอบเวลา 09.00 น. วันที่ 2 มีนาคม 2569');
    expect(monday?.parsed.from?.value[0]).toMatchObject({ address: 'saraban@example.go.th', name: 'สำนักงานทดสอบ' });
    expect(monday?.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(monday?.parsed.text).toContain(
      [
        'เรียน คุณ somsri',
        '',
        'รายการหนังสือที่รอการดำเนินการ ณ รอบเวลา 09.00 น. วันที่ 2 มีนาคม 2569 จำนวน 2 ฉบับ',
        '',
        `1. เลขรับ ${toSomsri.number}/2569 เรื่อง ขอเชิญประชุมคณะทำงาน`,
        '   รับเมื่อ 27 กุมภาพันธ์ 2569 เวลา 15.00 น.',
        '   ยังไม่มีผู้รับเรื่อง',
        `   https://saraban.example.go.th/letters/${toSomsri.id}`,
        '',
        `2. เลขรับ ${toUnit.number}/2569 เรื่อง ขอข้อมูลบุคลากร`,
        '   รับเมื่อ 27 กุมภาพันธ์ 2569 เวลา 15.05 น.',
      ].join('\n'),
    );
  });

  it('sends one reminder per officer for a slot that two workers run at once, and none when the slot is run again', async () => {
    const letter = await letterFor({ unitId: unit.SB }, bangkok('2026-03-09T08:00'));
    const otherPool = createPool(env.db.url, 5);
    try {
      const otherWorker: ReminderDeps = { ...deps, pool: otherPool };
      const at = bangkok('2026-03-09T09:00:02');
      const recorded = (
        await Promise.all([remindDue(deps, at), remindDue(otherWorker, at), remindDue(otherWorker, at), remindDue(deps, at)])
      ).flat();
      expect(recorded).toHaveLength(2);
      // The next minutes look back over the same slot (the catch-up): nothing new.
      await runClock(bangkok('2026-03-09T09:01'), bangkok('2026-03-09T09:29'), 1, (t) => remindDue(otherWorker, t));
    } finally {
      await otherPool.end();
    }
    expect(await reminders('2026-03-09', '2026-03-09')).toEqual([
      ['2026-03-09T09:00', 'somchai', [[letter.id, 'not-taken']]],
      ['2026-03-09T09:00', 'somsri', [[letter.id, 'not-taken']]],
    ]);
    // However the runs interleave, the unique key has the last word: a second record of the slot is refused.
    const slot = slotsOfDay('2026-03-09', reminderRules(config.reminders))[0];
    expect(
      await recordReminder(env.db.pool, {
        slot,
        officerId: o.somsri.id,
        recipient: 'somsri@example.go.th',
        letters: [{ letterId: letter.id, reasons: ['not-taken'] }],
        messageId: '<reminder.again@example.go.th>',
        at: new Date(),
      }),
    ).toBeNull();
    await waitFor(async () => (await env.db.pool.query(`SELECT 1 FROM reminder WHERE status <> 'sent'`)).rowCount === 0, 'all sent');
    expect(env.relay.messages.map((m) => m.envelope.rcptTo).sort()).toEqual([['somchai@example.go.th'], ['somsri@example.go.th']]);
  });

  it('reminds of a ด่วนที่สุด letter every hour until it is taken, and tells the supervisor after four office hours', async () => {
    const urgent = await letterFor({ officerId: o.somchai.id }, bangkok('2026-03-10T09:30'), { title: 'ขอข้อมูลด่วนที่สุด', urgency: 'ด่วนที่สุด' });
    await runClock(bangkok('2026-03-10T09:30'), bangkok('2026-03-10T14:15'));
    await act(o.somchai, urgent.id, { kind: 'take' }, bangkok('2026-03-10T14:20'));
    await runClock(bangkok('2026-03-10T14:30'), bangkok('2026-03-10T17:00'));

    expect(await reminders('2026-03-10', '2026-03-10')).toEqual([
      ['2026-03-10T10:00', 'somchai', [[urgent.id, 'urgent']]],
      ['2026-03-10T11:00', 'somchai', [[urgent.id, 'urgent']]],
      ['2026-03-10T12:00', 'somchai', [[urgent.id, 'urgent']]],
      ['2026-03-10T13:00', 'somchai', [[urgent.id, 'urgent']]],
      // 09:30 to 14:00 is four and a half office hours: the head of กองกลาง, above ฝ่ายสารบรรณ, is told.
      ['2026-03-10T14:00', 'head', [[urgent.id, 'escalated']]],
      ['2026-03-10T14:00', 'somchai', [[urgent.id, 'urgent']]],
    ]);
    await waitFor(() => env.relay.messages.some((m) => m.envelope.rcptTo[0] === 'head@example.go.th'), "the head's reminder");
    const toHead = env.relay.messages.find((m) => m.envelope.rcptTo[0] === 'head@example.go.th')!;
    expect(toHead.parsed.subject).toContain('(ด่วนที่สุด 1 ฉบับ)');
    expect(toHead.parsed.text).toContain('ด่วนที่สุด ยังไม่มีผู้รับเรื่องเกิน 4 ชั่วโมง ในเวลาราชการ: แจ้งท่านในฐานะผู้บังคับบัญชา');
  });

  it('reminds of a deadline and of the end of a wait on the working day before, across a weekend and Songkran', async () => {
    const registered = bangkok('2026-04-08T10:00');
    // Due Thursday 16 April 2569: the working day before is Friday 10 April (13-15 April are Songkran).
    const due = await letterFor({ officerId: o.somsri.id }, registered, { urgency: 'ด่วนภายใน', urgencyDeadline: '2026-04-16' });
    await act(o.somsri, due.id, { kind: 'take' }, registered);
    const waits = await letterFor({ officerId: o.somchai.id }, registered);
    await act(o.somchai, waits.id, { kind: 'take' }, registered);
    await act(o.somchai, waits.id, { kind: 'wait', until: '2026-04-16', note: 'รอหนังสือตอบจากกรม' }, registered);

    await runClock(bangkok('2026-04-08T10:00'), bangkok('2026-04-16T17:00'), 30);

    expect(await reminders('2026-04-08', '2026-04-16')).toEqual([
      ['2026-04-10T09:00', 'somchai', [[waits.id, 'wait-ends']]],
      ['2026-04-10T09:00', 'somsri', [[due.id, 'deadline']]],
      ['2026-04-10T14:00', 'somchai', [[waits.id, 'wait-ends']]],
      ['2026-04-10T14:00', 'somsri', [[due.id, 'deadline']]],
    ]);
    await waitFor(() => env.relay.messages.length >= 4, 'four reminders at the relay');
    expect(env.relay.messages.find((m) => m.envelope.rcptTo[0] === 'somsri@example.go.th')?.parsed.text).toContain(
      'ครบกำหนดภายในวันที่ 16 เมษายน 2569',
    );
  });

  it('goes to the address set with `saraban officer add --email` or `set-email`, and to nobody after `set-email --none`', async () => {
    expect(
      await people('officer', [
        'add',
        '--username',
        'malee',
        '--password',
        'รหัสผ่านของมาลี-2569',
        '--role',
        'officer',
        '--unit',
        'SB',
        '--email',
        'malee@example.go.th',
      ]),
    ).toMatchObject({ code: 0 });
    expect(await people('officer', ['set-email', '--username', 'somchai', '--none'])).toMatchObject({
      code: 0,
      stderr: expect.stringContaining('no e-mail address'),
    });
    expect(await people('officer', ['set-email', '--username', 'somsri', '--email', 'not-an-address'])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('"not-an-address" is not an e-mail address'),
    });
    expect(await people('officer', ['set-email', '--username', 'somsri'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--email ADDRESS or --none'),
    });

    const letter = await letterFor({ unitId: unit.SB }, bangkok('2026-04-20T08:00'));
    await remindDue(deps, bangkok('2026-04-20T09:00'));
    expect(await reminders('2026-04-20', '2026-04-20')).toEqual([
      ['2026-04-20T09:00', 'malee', [[letter.id, 'not-taken']]],
      ['2026-04-20T09:00', 'somsri', [[letter.id, 'not-taken']]],
    ]);
    const { rows } = await env.db.pool.query(
      `SELECT action, detail FROM audit_event WHERE action = 'officer.email-set' ORDER BY seq DESC LIMIT 1`,
    );
    expect(rows).toEqual([{ action: 'officer.email-set', detail: { username: 'somchai', email: null } }]);
    await people('officer', ['set-email', '--username', 'somchai', '--email', 'somchai@example.go.th']);
  });

  it('has one BullMQ job scheduler, due on the next minute, however many workers start', async () => {
    const enabled = testConfig(env.db.url, { relay: { url: env.relay.url }, redis: config.redis, reminders: { enabled: true } });
    const first = startWorkers(enabled, env.db.pool, silent);
    const second = startWorkers(enabled, env.db.pool, silent);
    const queue = new Queue(REMINDERS_QUEUE, { connection: redis, prefix: enabled.redis.prefix });
    try {
      await Promise.all([first.ready, second.ready]);
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers).toEqual([expect.objectContaining({ key: REMINDER_SCHEDULER, pattern: '* * * * *' })]);
      // One next job, not one per worker, on a minute's boundary.
      const delayed = await queue.getDelayed();
      expect(delayed).toHaveLength(1);
      const due = delayed[0].timestamp + delayed[0].delay;
      expect(due % 60_000).toBe(0);
      expect(due - Date.now()).toBeLessThanOrEqual(60_000);
    } finally {
      await Promise.all([first.close(), second.close()]);
      await queue.close();
    }
  });
});
