import type { FastifyInstance, RouteOptions } from 'fastify';
import { revokeToken } from '../../registry/officers';
import { BY_THE_TEST, makeOfficer, startTestDesk, type TestDesk } from '../support/desk';
import { useTestDatabase } from '../support/services';

// The desk's frame: who may call what, how a caller proves who they are, the error shape, the
// API description. Against the real PostgreSQL and Redis, through fastify's inject().
describe('the desk frame', () => {
  const env = useTestDatabase();
  let desk: TestDesk;
  const routes: Array<{ method: string; url: string; page: boolean }> = [];

  beforeAll(async () => {
    desk = await startTestDesk(env.db, {}, undefined, (app: FastifyInstance) =>
      // Every route the server ends up with, however it was added: not only the table's entries.
      app.addHook('onRoute', (r: RouteOptions) => {
        for (const method of [r.method].flat()) routes.push({ method, url: r.url, page: r.config?.page === true });
      }),
    );
  });
  afterAll(async () => {
    await desk.close();
  });

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('answers GET /api/me with the officer whose token is given', async () => {
    const officer = await makeOfficer(env.db, 'supervisor');
    const response = await desk.app.inject({ method: 'GET', url: '/api/me', headers: bearer(officer.token) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      id: officer.id,
      username: officer.username,
      name: officer.name,
      role: 'supervisor',
      unitId: null,
      secretClearance: false,
    });
  });

  it.each([
    ['no credentials', {}],
    ['a token nobody was given', { authorization: 'Bearer sgw_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
    ['an Authorization header that is not Bearer', { authorization: 'Basic b2ZmaWNlcjpwYXNzd29yZA==' }],
    ['a session cookie no one signed in with', { cookie: '__Host-saraban-session=made-up' }],
  ])('answers 401 { code, message } to a request with %s', async (_what, headers) => {
    const response = await desk.app.inject({ method: 'GET', url: '/api/me', headers });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ code: 'unauthenticated', message: expect.stringContaining('Bearer') });
  });

  it('answers 401 to a token once it is revoked', async () => {
    const officer = await makeOfficer(env.db);
    expect((await desk.app.inject({ method: 'GET', url: '/api/me', headers: bearer(officer.token) })).statusCode).toBe(200);
    await revokeToken(env.db.pool, officer.tokenId, BY_THE_TEST);
    expect((await desk.app.inject({ method: 'GET', url: '/api/me', headers: bearer(officer.token) })).statusCode).toBe(401);
  });

  it('answers 403 to an officer calling an admin route, and lets the admin in', async () => {
    const officer = await makeOfficer(env.db, 'officer');
    const supervisor = await makeOfficer(env.db, 'supervisor');
    const admin = await makeOfficer(env.db, 'admin');
    for (const caller of [officer, supervisor]) {
      const refused = await desk.app.inject({ method: 'GET', url: '/api/officers', headers: bearer(caller.token) });
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toEqual({ code: 'forbidden', message: expect.any(String) });
    }
    const allowed = await desk.app.inject({ method: 'GET', url: '/api/officers', headers: bearer(admin.token) });
    expect(allowed.statusCode).toBe(200);
    expect(allowed.json().officers).toEqual(
      expect.arrayContaining([expect.objectContaining({ username: officer.username, role: 'officer', onDuty: true, disabledAt: null })]),
    );
  });

  it('answers an unknown route 404 and a body that fails its schema 400, both as { code, message }', async () => {
    const officer = await makeOfficer(env.db);
    const missing = await desk.app.inject({ method: 'GET', url: '/api/no-such-thing', headers: bearer(officer.token) });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ code: 'not-found', message: expect.stringContaining('/api/no-such-thing') });

    const invalid = await desk.app.inject({ method: 'POST', url: '/login', payload: { username: 'someone' } });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toEqual({ code: 'invalid', message: expect.stringContaining('password') });

    const notJson = await desk.app.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"username":',
    });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json()).toEqual({ code: expect.any(String), message: expect.any(String) });
  });

  it('serves at /api/docs an OpenAPI document made from the schemas that validate the requests', async () => {
    const response = await desk.app.inject({ method: 'GET', url: '/api/docs' });
    expect(response.statusCode).toBe(200);
    const doc = response.json();
    expect(doc.openapi).toMatch(/^3\./);
    const login = doc.paths['/login'].post;
    expect(login.requestBody.content['application/json'].schema).toMatchObject({ required: ['username', 'password'] });
    const me = doc.paths['/api/me'].get;
    expect(me.security).toEqual([{ bearer: [] }, { session: [] }]);
    expect(JSON.stringify(me.responses['200'])).toContain('secretClearance');
    expect(me.responses['401'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
    expect(doc.components.schemas.Error.required).toEqual(['code', 'message']);
  });

  it("lets no one call any route but /healthz, /metrics, /login, /api/docs, the pages' files and the contact sheet without a session or token", async () => {
    const PUBLIC = [
      'GET /healthz',
      'GET /metrics',
      'POST /login',
      'GET /login',
      'GET /api/docs',
      'GET /assets/:file',
      'GET /assets/fonts/:file',
      'GET /assets/fonts/files/:file',
      'GET /contact.json',
      'GET /contact',
    ];
    const seen = routes.map((r) => `${r.method} ${r.url}`);
    // The walk would prove nothing if the routes had not been collected.
    expect(seen).toEqual(expect.arrayContaining([...PUBLIC, 'GET /api/me', 'POST /logout', 'GET /']));
    for (const r of routes) {
      const name = `${r.method} ${r.url}`;
      const isPublic = PUBLIC.includes(name.replace(/^HEAD /, 'GET '));
      const url = r.url.replace(/:[A-Za-z]+/g, '1');
      const bare = await desk.app.inject({ method: r.method as 'GET', url });
      const badToken = await desk.app.inject({ method: r.method as 'GET', url, headers: bearer('sgw_not-a-token') });
      if (isPublic) {
        expect([name, bare.statusCode]).not.toEqual([name, 401]);
      } else if (r.page) {
        // A page sends whoever is not signed in to the sign-in page, and shows nothing else.
        expect([name, bare.statusCode, badToken.statusCode]).toEqual([name, 303, 303]);
        expect([name, bare.headers.location]).toEqual([name, expect.stringMatching(/^\/login/)]);
        expect(bare.body).toBe('');
      } else {
        expect([name, bare.statusCode, badToken.statusCode]).toEqual([name, 401, 401]);
      }
    }
  });

  it('keeps /healthz and /metrics as they were: open to the operator, answering without a session', async () => {
    const health = await desk.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok', postgresql: { ok: true }, redis: { ok: true } });
    const metrics = await desk.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('saraban_register_totals');
  });
});
