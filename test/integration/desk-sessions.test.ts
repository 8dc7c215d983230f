import { createHash } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { disableOfficer, setPassword } from '../../registry/officers';
import { hashPassword } from '../../desk/auth/password';
import { BROWSER, makeOfficer, startTestDesk, type TestDesk } from '../support/desk';
import { useTestDatabase } from '../support/services';

const COOKIE = '__Host-saraban-session';

// Signing in at the desk: sessions in PostgreSQL behind a cookie, CSRF tokens, lockout and the
// sign-in rate limit, against the real PostgreSQL and Redis.
describe('desk sessions', () => {
  const env = useTestDatabase();
  let desk: TestDesk;
  let now = new Date('2026-11-20T09:00:00+07:00');
  // Each test signs in from an address of its own: the sign-in limit counts per address.
  let address = 0;
  let ip: string;

  beforeAll(async () => {
    desk = await startTestDesk(env.db, {}, () => now);
  });
  beforeEach(() => {
    ip = `192.0.2.${++address}`;
  });
  afterAll(async () => {
    await desk.close();
  });

  function login(username: string, password: string, cookie?: string) {
    return desk.app.inject({
      method: 'POST',
      url: '/login',
      remoteAddress: ip,
      payload: { username, password },
      headers: cookie ? { cookie: `${COOKIE}=${cookie}` } : {},
    });
  }

  const sessionOf = (response: LightMyRequestResponse) => response.cookies.find((c) => c.name === COOKIE)?.value;

  const me = (session: string) => desk.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: `${COOKIE}=${session}` } });

  function logout(session: string, headers: Record<string, string> = {}, payload?: string) {
    return desk.app.inject({ method: 'POST', url: '/logout', headers: { cookie: `${COOKIE}=${session}`, ...headers }, payload });
  }

  it('signs in with a JSON body or a form, setting an HttpOnly, Secure, SameSite=Lax cookie that /api/me accepts', async () => {
    const officer = await makeOfficer(env.db);
    const json = await login(officer.username, officer.password);
    expect(json.statusCode).toBe(200);
    expect(json.json()).toEqual({
      officer: expect.objectContaining({ id: officer.id, username: officer.username }),
      csrfToken: expect.any(String),
    });
    const cookie = json.cookies.find((c) => c.name === COOKIE)!;
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
    expect(cookie.expires!.getTime()).toBe(now.getTime() + 12 * 3_600_000);
    expect((await me(cookie.value)).json()).toMatchObject({ username: officer.username, csrfToken: expect.any(String) });

    const form = await desk.app.inject({
      method: 'POST',
      url: '/login',
      remoteAddress: ip,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ username: officer.username.toUpperCase(), password: officer.password }).toString(),
    });
    expect(form.statusCode).toBe(200);
    expect((await me(sessionOf(form)!)).statusCode).toBe(200);

    const signIns = await env.db.pool.query(`SELECT actor, detail FROM audit_event WHERE action = 'officer.signed-in' AND actor = $1`, [
      `officer:${officer.username}`,
    ]);
    expect(signIns.rows).toEqual([
      { actor: `officer:${officer.username}`, detail: { address: ip } },
      { actor: `officer:${officer.username}`, detail: { address: ip } },
    ]);
  });

  it("refuses a sign-in that another site's page sent (login CSRF), setting no cookie", async () => {
    const officer = await makeOfficer(env.db);
    const fromElsewhere = await desk.app.inject({
      method: 'POST',
      url: '/login',
      remoteAddress: ip,
      headers: { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' },
      payload: { username: officer.username, password: officer.password },
    });
    expect(fromElsewhere.statusCode).toBe(403);
    expect(fromElsewhere.json()).toMatchObject({ code: 'cross-site' });
    expect(sessionOf(fromElsewhere)).toBeUndefined();
    // A sibling host's form (same-site: any host of the agency's domain), as a browser sends it:
    // the form again, saying why, and no cookie.
    const fromSibling = await desk.app.inject({
      method: 'POST',
      url: '/login',
      remoteAddress: ip,
      headers: { ...BROWSER, 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-site' },
      payload: new URLSearchParams({ username: officer.username, password: officer.password }).toString(),
    });
    expect(fromSibling.statusCode).toBe(403);
    expect(fromSibling.headers['content-type']).toMatch(/^text\/html/);
    expect(fromSibling.body).toContain('เข้าสู่ระบบจากหน้าของเว็บไซต์อื่นไม่ได้');
    expect(sessionOf(fromSibling)).toBeUndefined();
    // From the desk's own page (same-origin), or typed in (none): signed in.
    for (const site of ['same-origin', 'none']) {
      const own = await desk.app.inject({
        method: 'POST',
        url: '/login',
        remoteAddress: ip,
        headers: { 'content-type': 'application/json', 'sec-fetch-site': site },
        payload: { username: officer.username, password: officer.password },
      });
      expect({ site, status: own.statusCode }).toEqual({ site, status: 200 });
    }
  });

  it('gives a new session id at every sign-in, and never makes a planted or earlier id a signed-in one', async () => {
    const officer = await makeOfficer(env.db);
    // An attacker's id, set in the victim's browser before the victim signs in.
    const planted = 'chosen-by-someone-else';
    const first = await login(officer.username, officer.password, planted);
    const firstId = sessionOf(first)!;
    expect(firstId).not.toBe(planted);
    expect((await me(planted)).statusCode).toBe(401);

    const second = await login(officer.username, officer.password, firstId);
    const secondId = sessionOf(second)!;
    expect(secondId).not.toBe(firstId);
    expect((await me(secondId)).statusCode).toBe(200);
    // The session the browser came with is over once it signs in again.
    expect((await me(firstId)).statusCode).toBe(401);
  });

  it('stores no session id, only its SHA-256', async () => {
    const officer = await makeOfficer(env.db);
    const session = sessionOf(await login(officer.username, officer.password))!;
    const { rows } = await env.db.pool.query(`SELECT id_hash FROM desk_session WHERE officer_id = $1`, [officer.id]);
    expect(rows).toEqual([{ id_hash: createHash('sha256').update(session).digest() }]);
  });

  it('refuses a request that changes something with the session cookie but without its CSRF token, or with another session’s', async () => {
    const officer = await makeOfficer(env.db);
    const other = await makeOfficer(env.db);
    const session = sessionOf(await login(officer.username, officer.password))!;
    const othersToken = (await login(other.username, other.password)).json().csrfToken;

    const attempts: Record<string, string>[] = [{}, { 'x-csrf-token': othersToken }, { 'x-csrf-token': 'made-up' }];
    for (const headers of attempts) {
      const refused = await logout(session, headers);
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toEqual({ code: 'csrf', message: expect.stringContaining('x-csrf-token') });
    }
    expect((await me(session)).statusCode).toBe(200);

    const token = (await me(session)).json().csrfToken;
    const done = await logout(session, { 'x-csrf-token': token });
    expect(done.statusCode).toBe(204);
    expect(done.cookies.find((c) => c.name === COOKIE)).toMatchObject({ value: '' });
    expect((await me(session)).statusCode).toBe(401);
  });

  it('takes the CSRF token from a form field as well as from the header', async () => {
    const officer = await makeOfficer(env.db);
    const signedIn = await login(officer.username, officer.password);
    const session = sessionOf(signedIn)!;
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    expect((await logout(session, form, 'nothing=here')).statusCode).toBe(403);
    expect((await logout(session, form, new URLSearchParams({ _csrf: signedIn.json().csrfToken }).toString())).statusCode).toBe(204);
  });

  it('asks no CSRF token of a call made with an API token, which a browser never sends by itself', async () => {
    const officer = await makeOfficer(env.db);
    const response = await desk.app.inject({ method: 'POST', url: '/logout', headers: { authorization: `Bearer ${officer.token}` } });
    expect(response.statusCode).toBe(204);
  });

  it('stops a disabled officer’s session and token at the next request', async () => {
    const officer = await makeOfficer(env.db);
    const session = sessionOf(await login(officer.username, officer.password))!;
    const byToken = () => desk.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${officer.token}` } });
    expect((await me(session)).statusCode).toBe(200);
    expect((await byToken()).statusCode).toBe(200);

    // Disabled in the table alone (as by an administrator in SQL): refused already, rows or not.
    await env.db.pool.query(`UPDATE officer SET disabled_at = now() WHERE id = $1`, [officer.id]);
    expect((await me(session)).statusCode).toBe(401);
    expect((await byToken()).statusCode).toBe(401);

    await disableOfficer(env.db.pool, officer.username, { actor: 'operator:test', at: now });
    const left = await env.db.pool.query(
      `SELECT (SELECT count(*) FROM desk_session WHERE officer_id = $1)::int AS sessions,
              (SELECT count(*) FROM api_token WHERE officer_id = $1 AND revoked_at IS NULL)::int AS tokens`,
      [officer.id],
    );
    expect(left.rows[0]).toEqual({ sessions: 0, tokens: 0 });
    expect((await login(officer.username, officer.password)).statusCode).toBe(401);
  });

  it('ends a session when its time is up, and every session of an officer whose password is reset', async () => {
    const officer = await makeOfficer(env.db);
    const early = sessionOf(await login(officer.username, officer.password))!;
    now = new Date(now.getTime() + 12 * 3_600_000);
    expect((await me(early)).statusCode).toBe(401);

    const session = sessionOf(await login(officer.username, officer.password))!;
    expect((await me(session)).statusCode).toBe(200);
    await setPassword(env.db.pool, officer.username, await hashPassword('อีกรหัสหนึ่ง-ยาวพอ', { ln: 14, r: 8, p: 1 }), {
      actor: 'operator:test',
      at: now,
    });
    expect((await me(session)).statusCode).toBe(401);
    expect((await login(officer.username, officer.password)).statusCode).toBe(401);
    expect((await login(officer.username, 'อีกรหัสหนึ่ง-ยาวพอ')).statusCode).toBe(200);
  });

  it('locks an officer out after 5 wrong passwords in a row, even for the right one, until 15 minutes have passed', async () => {
    const officer = await makeOfficer(env.db);
    for (let i = 1; i <= 4; i++) expect((await login(officer.username, `wrong-${i}`)).json()).toMatchObject({ code: 'wrong-password' });
    const fifth = await login(officer.username, 'wrong-5');
    expect(fifth.statusCode).toBe(423);
    expect(fifth.json()).toEqual({ code: 'locked', message: expect.stringContaining('reset-password') });
    const lockedEvent = await env.db.pool.query(
      `SELECT actor, detail FROM audit_event WHERE action = 'officer.locked' AND detail->>'username' = $1`,
      [officer.username],
    );
    expect(lockedEvent.rows).toEqual([
      {
        actor: 'desk',
        detail: { username: officer.username, until: new Date(now.getTime() + 15 * 60_000).toISOString(), failures: 5, address: ip },
      },
    ]);

    const meanwhile = await login(officer.username, officer.password);
    expect(meanwhile.statusCode).toBe(423);
    expect(sessionOf(meanwhile)).toBeUndefined();

    now = new Date(now.getTime() + 14 * 60_000);
    expect((await login(officer.username, officer.password)).statusCode).toBe(423);
    now = new Date(now.getTime() + 60_000);
    expect((await login(officer.username, officer.password)).statusCode).toBe(200);
  });

  it('answers a wrong password and an unknown officer alike', async () => {
    const officer = await makeOfficer(env.db);
    const wrong = await login(officer.username, 'not-the-password');
    const unknown = await login('nobody-here', 'not-the-password');
    expect([wrong.statusCode, wrong.json()]).toEqual([unknown.statusCode, unknown.json()]);
    expect(wrong.json().code).toBe('wrong-password');
  });

  it('slows sign-in from one address to 10 attempts a minute, and lets another address on', async () => {
    const officer = await makeOfficer(env.db);
    const answers: number[] = [];
    for (let i = 0; i < 11; i++) answers.push((await login(officer.username, officer.password)).statusCode);
    expect(answers).toEqual([...Array(10).fill(200), 429]);
    const slowed = await login(officer.username, officer.password);
    expect(slowed.json()).toEqual({ code: 'too-many-requests', message: expect.stringMatching(/try again in \d+ s/) });
    expect(sessionOf(slowed)).toBeUndefined();

    ip = '198.51.100.7';
    expect((await login(officer.username, officer.password)).statusCode).toBe(200);
  });

  it('sends the headers @fastify/helmet sets', async () => {
    const response = await desk.app.inject({ method: 'GET', url: '/healthz' });
    expect(response.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'SAMEORIGIN' });
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
  });
});
