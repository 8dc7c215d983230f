import { findOfficer, findUnit } from '../../registry/officers';
import { startTestDesk, type TestDesk } from '../support/desk';
import { spawnSaraban, testConfig, useTestDatabase } from '../support/services';

// The operator's commands for the desk's people, run as `saraban ...` from the sources.
describe('saraban unit, officer and token', () => {
  const env = useTestDatabase();
  let desk: TestDesk;
  beforeAll(async () => {
    desk = await startTestDesk(env.db);
  });
  afterAll(async () => {
    await desk.close();
  });

  async function saraban(...args: string[]) {
    const run = spawnSaraban(args, testConfig(env.db.url));
    const code = await run.exited;
    return { code, stdout: run.stdout(), output: run.output() };
  }

  it('adds a unit tree and an officer in it, and `token create` prints a token alone that signs the officer in to the API', async () => {
    expect(await saraban('unit', 'add', 'KK', '--name', 'กองกลาง')).toMatchObject({ code: 0 });
    expect(await saraban('unit', 'add', 'KK-SB', '--name', 'ฝ่ายสารบรรณ', '--parent', 'KK')).toMatchObject({ code: 0 });
    const added = await saraban(
      'officer',
      'add',
      '--username',
      'Somchai',
      '--password',
      'ขอให้ยาวพอ-2569',
      '--role',
      'supervisor',
      '--unit',
      'KK-SB',
      '--name',
      'สมชาย ใจดี',
      '--position',
      'นักจัดการงานทั่วไป',
      '--phone',
      '0 2123 4567',
    );
    expect(added).toMatchObject({ code: 0, stdout: '' });

    const parent = await findUnit(env.db.pool, 'KK');
    const unit = await findUnit(env.db.pool, 'KK-SB');
    expect(unit).toEqual({ id: expect.any(Number), code: 'KK-SB', name: 'ฝ่ายสารบรรณ', parentId: parent!.id });
    expect(await findOfficer(env.db.pool, 'somchai')).toMatchObject({
      username: 'somchai',
      name: 'สมชาย ใจดี',
      role: 'supervisor',
      position: 'นักจัดการงานทั่วไป',
      phone: '0 2123 4567',
      unitId: unit!.id,
      unitCode: 'KK-SB',
      secretClearance: false,
      onDuty: true,
      disabledAt: null,
    });

    const created = await saraban('token', 'create', '--username', 'somchai');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^sgw_[A-Za-z0-9_-]{43}\n$/);
    const me = await desk.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${created.stdout.trim()}` } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ username: 'somchai', name: 'สมชาย ใจดี', role: 'supervisor', unitId: unit!.id });
  });

  it('refuses, saying what to change, a unit under a parent that does not exist, a wrong role and an unknown officer', async () => {
    const orphan = await saraban('unit', 'add', 'NGAN', '--name', 'งานสารบรรณ', '--parent', 'NOPE');
    expect(orphan.code).toBe(1);
    expect(orphan.output).toContain('no unit "NOPE"');
    const role = await saraban('officer', 'add', '--username', 'malee', '--password', 'ขอให้ยาวพอ-2569', '--role', 'boss');
    expect(role.code).toBe(2);
    expect(role.output).toContain('--role must be one of officer, supervisor, admin, not "boss"');
    const unknown = await saraban('token', 'create', '--username', 'nobody');
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe('');
    expect(unknown.output).toContain('no officer "nobody"');
  });
});
