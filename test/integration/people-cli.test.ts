import { createHash } from 'node:crypto';
import { prepareDatabase } from '../../bin/roles';
import { runPeopleCommand, type Output } from '../../bin/people';
import { hashPassword, verifyPassword } from '../../desk/auth/password';
import { findOfficer, findUnit } from '../../registry/officers';
import { startTestDesk, type TestDesk } from '../support/desk';
import { silent, spawnSaraban, testConfig, useTestDatabase } from '../support/services';

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

  const children: Array<ReturnType<typeof spawnSaraban>> = [];
  afterAll(() => {
    // One left running by a test that failed must not outlive the file.
    for (const run of children) run.child.kill('SIGKILL');
  });

  /** `saraban ...` as the operator runs it: a process of its own, from the sources. */
  async function saraban(...args: string[]) {
    const run = spawnSaraban(args, testConfig(env.db.url));
    children.push(run);
    const code = await run.exited;
    return { code, stdout: run.stdout(), output: run.output() };
  }

  /** The command as bin/saraban.ts runs it, in this process: what it printed, for a test to read. */
  async function command(name: string, args: string[], input = '') {
    let stdout = '';
    let stderr = '';
    const io: Output = { out: (t) => void (stdout += t), err: (t) => void (stderr += t), readInput: async () => input };
    const code = await runPeopleCommand(testConfig(env.db.url), name, args, io);
    return { code, stdout, stderr };
  }

  it('adds a unit tree and an officer in it, and `saraban token create` prints a token alone that signs the officer in to the API', async () => {
    expect(await command('unit', ['add', 'KK', '--name', 'กองกลาง'])).toMatchObject({ code: 0 });
    expect(await command('unit', ['add', 'KK-SB', '--name', 'ฝ่ายสารบรรณ', '--parent', 'KK'])).toMatchObject({ code: 0 });
    const added = await command('officer', [
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
    ]);
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
    // Kept as its SHA-256 alone: the token itself is nowhere in its row.
    const token = created.stdout.trim();
    const stored = await env.db.pool.query(`SELECT row_to_json(api_token)::text AS row, token_hash FROM api_token`);
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0].token_hash).toEqual(createHash('sha256').update(token).digest());
    expect(stored.rows[0].row).not.toContain(token.slice(4));

    // Each change is on the audit trail, with who ran the command.
    const { rows } = await env.db.pool.query(`SELECT actor, action, detail FROM audit_event ORDER BY seq`);
    const operator = expect.stringMatching(/^operator:\S+$/);
    expect(rows).toEqual([
      { actor: operator, action: 'unit.added', detail: { code: 'KK', name: 'กองกลาง', parent: null } },
      { actor: operator, action: 'unit.added', detail: { code: 'KK-SB', name: 'ฝ่ายสารบรรณ', parent: 'KK' } },
      {
        actor: operator,
        action: 'officer.added',
        detail: { username: 'somchai', role: 'supervisor', unit: 'KK-SB', secretClearance: false },
      },
      { actor: operator, action: 'token.created', detail: { username: 'somchai', token: expect.any(Number), label: null } },
    ]);
  });

  it('refuses, saying what to change, a unit under a parent that does not exist, a wrong role, a weak password and an unknown officer', async () => {
    expect(await command('unit', ['add', 'NGAN', '--name', 'งานสารบรรณ', '--parent', 'NOPE'])).toEqual({
      code: 1,
      stdout: '',
      stderr: expect.stringContaining('no unit "NOPE" to put "NGAN" under; add the parent first'),
    });
    expect(await command('officer', ['add', '--username', 'malee', '--password', 'ขอให้ยาวพอ-2569', '--role', 'boss'])).toEqual({
      code: 2,
      stdout: '',
      stderr: expect.stringContaining('--role must be one of officer, supervisor, admin, not "boss"'),
    });
    expect(await command('officer', ['add', '--username', 'malee', '--password', 'short', '--role', 'officer'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('use at least 10 characters'),
    });
    expect(await command('token', ['create', '--username', 'nobody'])).toEqual({
      code: 1,
      stdout: '',
      stderr: expect.stringContaining('no officer "nobody"'),
    });
    expect(await findOfficer(env.db.pool, 'malee')).toBeNull();
  });

  it('disables an officer: their session, token and password stop working, and no new token is made for them', async () => {
    expect(
      (await command('officer', ['add', '--username', 'wichai', '--password', '-', '--role', 'officer'], 'รหัสผ่านของวิชัย-2569\n')).code,
    ).toBe(0);
    const token = (await command('token', ['create', '--username', 'wichai', '--label', 'รายงานประจำวัน'])).stdout.trim();
    const signedIn = await desk.app.inject({
      method: 'POST',
      url: '/login',
      payload: { username: 'wichai', password: 'รหัสผ่านของวิชัย-2569' },
    });
    expect(signedIn.statusCode).toBe(200);
    const cookie = `${signedIn.cookies[0].name}=${signedIn.cookies[0].value}`;

    expect(await command('officer', ['disable', '--username', 'wichai'])).toMatchObject({
      code: 0,
      stderr: expect.stringContaining('disabled'),
    });
    expect((await desk.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).statusCode).toBe(401);
    expect((await desk.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);
    expect(
      (await desk.app.inject({ method: 'POST', url: '/login', payload: { username: 'wichai', password: 'รหัสผ่านของวิชัย-2569' } })).statusCode,
    ).toBe(401);
    expect(await command('token', ['create', '--username', 'wichai'])).toMatchObject({
      code: 1,
      stdout: '',
      stderr: expect.stringContaining('disabled'),
    });
    expect(await findOfficer(env.db.pool, 'wichai')).toMatchObject({ disabledAt: expect.any(Date) });
  });

  it('revokes one token by its number, leaving the officer’s others valid', async () => {
    await command('officer', ['add', '--username', 'suda', '--password', 'รหัสผ่านของสุดา-2569', '--role', 'officer']);
    const first = (await command('token', ['create', '--username', 'suda'])).stdout.trim();
    const second = (await command('token', ['create', '--username', 'suda'])).stdout.trim();
    const listed = JSON.parse((await command('token', ['list', '--username', 'suda'])).stdout);
    expect(listed).toEqual([
      expect.objectContaining({ username: 'suda', revokedAt: null }),
      expect.objectContaining({ username: 'suda', revokedAt: null }),
    ]);

    expect((await command('token', ['revoke', String(listed[0].id)])).code).toBe(0);
    const asCaller = (token: string) => desk.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${token}` } });
    expect((await asCaller(first)).statusCode).toBe(401);
    expect((await asCaller(second)).statusCode).toBe(200);
    expect(await command('token', ['revoke', String(listed[0].id)])).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('no token'),
    });
    expect(await command('token', ['revoke', 'first'])).toMatchObject({ code: 2, stderr: expect.stringContaining('token list') });
  });

  it('resets a password: the old one no longer signs in, the new one does, and a lockout is lifted', async () => {
    await command('officer', ['add', '--username', 'preecha', '--password', 'รหัสผ่านเดิม-2569', '--role', 'officer']);
    const signIn = (password: string) =>
      desk.app.inject({ method: 'POST', url: '/login', remoteAddress: '203.0.113.9', payload: { username: 'preecha', password } });
    for (let i = 0; i < 5; i++) await signIn('ผิด');
    expect((await signIn('รหัสผ่านเดิม-2569')).statusCode).toBe(423);

    expect((await command('officer', ['reset-password', '--username', 'preecha', '--password', 'รหัสผ่านใหม่-2569'])).code).toBe(0);
    expect((await signIn('รหัสผ่านเดิม-2569')).statusCode).toBe(401);
    expect((await signIn('รหัสผ่านใหม่-2569')).statusCode).toBe(200);
  });

  it('prints, for a password on stdin, the hash the settings take for a seeded officer', async () => {
    const printed = await command('password-hash', [], 'รหัสผ่านในไฟล์ตั้งค่า-2569\n');
    expect(printed.code).toBe(0);
    expect(printed.stdout).toMatch(/^\$scrypt\$ln=17,r=8,p=1\$\S+\$\S+\n$/);
    expect(await verifyPassword('รหัสผ่านในไฟล์ตั้งค่า-2569', printed.stdout.trim())).toBe(true);
    expect(await verifyPassword('รหัสผ่านอื่น', printed.stdout.trim())).toBe(false);
  });

  it('adds the units and officers of the settings at a first start, and leaves them as the register has them afterwards', async () => {
    const passwordHash = await hashPassword('รหัสผ่านผู้ดูแล-2569', { ln: 14, r: 8, p: 1 });
    const config = testConfig(env.db.url, {
      units: [
        { code: 'SK', name: 'สำนักงานเลขานุการ' },
        { code: 'SK-1', name: 'ฝ่ายบริหารทั่วไป', parent: 'SK' },
      ],
      officers: [{ username: 'Admin', name: 'ผู้ดูแล ระบบ', role: 'admin', unit: 'SK-1', secretClearance: true, passwordHash }],
    });
    await prepareDatabase(config, silent);
    const sk = await findUnit(env.db.pool, 'SK');
    expect(await findUnit(env.db.pool, 'SK-1')).toMatchObject({ name: 'ฝ่ายบริหารทั่วไป', parentId: sk!.id });
    expect(await findOfficer(env.db.pool, 'admin')).toMatchObject({ role: 'admin', unitCode: 'SK-1', secretClearance: true });
    const signedIn = await desk.app.inject({ method: 'POST', url: '/login', payload: { username: 'admin', password: 'รหัสผ่านผู้ดูแล-2569' } });
    expect(signedIn.statusCode).toBe(200);

    // Changed in the register since; the next start must not undo it.
    await command('officer', ['reset-password', '--username', 'admin', '--password', 'รหัสผ่านที่เปลี่ยนแล้ว-2569']);
    await prepareDatabase(config, silent);
    const again = await desk.app.inject({
      method: 'POST',
      url: '/login',
      payload: { username: 'admin', password: 'รหัสผ่านที่เปลี่ยนแล้ว-2569' },
    });
    expect(again.statusCode).toBe(200);
  });
});
