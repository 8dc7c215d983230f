import Tokens from '@fastify/csrf';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hasRole, type Officer } from '../../letter/access';
import { deleteSession, findLogin, officerBySession, officerByToken, openSession, recordLoginFailure } from '../../registry/officers';
import type { Access } from '../api/route';
import type { DeskContext } from '../context';
import { DeskError, forbidden, unauthenticated } from '../errors';
import { verifyNoPassword, verifyPassword } from './password';
import { newSessionId, secretHash } from './secret';

/** Methods that change nothing (RFC 9110 "safe"): they need no CSRF token. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_FIELD = '_csrf';

/**
 * Sessions in PostgreSQL (our own table rather than @fastify/session: the desk must end every
 * session of a disabled officer at once, which needs them queryable by officer), the cookie
 * through @fastify/cookie, CSRF tokens from @fastify/csrf with the secret kept in the session row.
 */
export function createAuth(ctx: DeskContext) {
  const { config, pool, clock } = ctx;
  const settings = config.desk;
  const csrf = new Tokens({});
  // __Host-: the browser keeps it only from a secure origin, for the whole site, for this host alone.
  const cookieName = settings.secureCookies ? '__Host-saraban-session' : 'saraban-session';

  /** onRequest: finds the caller and refuses who may not call this route. */
  async function authenticate(request: FastifyRequest): Promise<void> {
    const access: Access = request.routeOptions.config.access ?? (request.is404 ? 'public' : 'officer');
    if (access === 'public') return;
    const found = await identify(request);
    if (!found) throw unauthenticated();
    request.officer = found.officer;
    if (!hasRole(found.officer, access)) throw forbidden();
  }

  async function identify(request: FastifyRequest): Promise<{ officer: Officer } | null> {
    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      // A token given is the credential, even beside a cookie: a bad one is refused, not passed over.
      const m = /^Bearer +([A-Za-z0-9_-]{1,200})$/.exec(authorization);
      if (!m) return null;
      const found = await officerByToken(pool, secretHash(m[1]), clock());
      if (found) request.credential = { kind: 'token', tokenId: found.tokenId };
      return found;
    }
    const sessionId = request.cookies[cookieName];
    if (!sessionId) return null;
    const idHash = secretHash(sessionId);
    const found = await officerBySession(pool, idHash, clock());
    if (found) request.credential = { kind: 'session', idHash, csrfSecret: found.csrfSecret };
    return found;
  }

  /**
   * preHandler: a request that changes something and comes with the session cookie must carry
   * the session's CSRF token (header x-csrf-token, or form field _csrf): another site can make
   * the browser send the cookie, never the token. Token-authenticated calls need none.
   */
  async function checkCsrf(request: FastifyRequest): Promise<void> {
    const credential = request.credential;
    if (credential?.kind !== 'session' || SAFE_METHODS.has(request.method)) return;
    const header = request.headers[CSRF_HEADER];
    const body = request.body as Record<string, unknown> | undefined;
    const token = typeof header === 'string' ? header : typeof body?.[CSRF_FIELD] === 'string' ? (body[CSRF_FIELD] as string) : undefined;
    if (!token || !csrf.verify(credential.csrfSecret, token)) {
      throw new DeskError(
        403,
        'csrf',
        `คำขอนี้ไม่มีรหัสป้องกัน CSRF ที่ถูกต้อง (send the session's CSRF token, from GET /api/me or the login answer, in the ${CSRF_HEADER} header or the ${CSRF_FIELD} form field)`,
      );
    }
  }

  /** A CSRF token for the caller's session; none for a token-authenticated caller. */
  function csrfToken(request: FastifyRequest): string | undefined {
    return request.credential?.kind === 'session' ? csrf.create(request.credential.csrfSecret) : undefined;
  }

  const wrongPassword = () => new DeskError(401, 'wrong-password', 'ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง (wrong username or password)');
  const locked = (until: Date) =>
    new DeskError(
      423,
      'locked',
      `บัญชีถูกระงับชั่วคราวเพราะใส่รหัสผ่านผิดหลายครั้ง ลองใหม่หลังเวลา ${until.toLocaleTimeString('th-TH', { timeZone: 'Asia/Bangkok', hour: '2-digit', minute: '2-digit' })} น. ` +
        `(too many wrong passwords: signing in is locked until ${until.toISOString()}, or until an admin runs saraban officer reset-password)`,
    );

  /**
   * Checks the password and opens a new session: always a new id, whatever cookie came with the
   * request (a session id planted before sign-in never becomes a signed-in one).
   */
  async function signIn(
    request: FastifyRequest,
    reply: FastifyReply,
    username: string,
    password: string,
  ): Promise<{ officer: Officer; csrfToken: string }> {
    // Login CSRF: another site's page could sign the browser in as someone else (an account of
    // its sender's), and what the officer then records would be recorded as theirs. A browser
    // says where the form was sent from: only the desk's own pages (same-origin) or the officer
    // (none: typed, a bookmark) may sign in. Not a sibling host either (same-site): go.th is a
    // public suffix, so that is any host of the agency's domain. Scripts send no such header.
    const from = request.headers['sec-fetch-site'];
    if (from !== undefined && from !== 'same-origin' && from !== 'none') {
      throw new DeskError(
        403,
        'cross-site',
        'เข้าสู่ระบบจากหน้าของเว็บไซต์อื่นไม่ได้ (a sign-in sent from another site is refused: open the desk\'s own sign-in page)',
      );
    }
    const now = clock();
    const login = await findLogin(pool, username);
    if (!login || login.disabled || !login.passwordHash) {
      await verifyNoPassword(password);
      throw wrongPassword();
    }
    // While locked the password is not even checked: guessing on cannot succeed.
    if (login.lockedUntil && login.lockedUntil > now) throw locked(login.lockedUntil);
    if (!(await verifyPassword(password, login.passwordHash))) {
      const lockedUntil = await recordLoginFailure(
        pool,
        login.officer,
        {
          maxFailures: settings.login.maxFailures,
          lockUntil: new Date(now.getTime() + settings.login.lockMinutes * 60_000),
          address: request.ip,
        },
        { actor: 'desk', at: now },
      );
      throw lockedUntil ? locked(lockedUntil) : wrongPassword();
    }
    const previous = request.cookies[cookieName];
    const sessionId = newSessionId();
    const csrfSecret = csrf.secretSync();
    const expiresAt = new Date(now.getTime() + settings.sessionHours * 3_600_000);
    await openSession(
      pool,
      { idHash: secretHash(sessionId), officerId: login.officer.id, csrfSecret, createdAt: now, expiresAt },
      previous ? secretHash(previous) : null,
      { actor: `officer:${login.officer.username}`, at: now, address: request.ip },
    );
    reply.setCookie(cookieName, sessionId, {
      path: '/',
      httpOnly: true,
      secure: settings.secureCookies,
      // Lax: a link to the desk from an e-mail opens it signed in; nothing that changes state is a GET.
      sameSite: 'lax',
      expires: expiresAt,
    });
    request.log.info({ officer: login.officer.username }, 'officer signed in');
    return { officer: login.officer, csrfToken: csrf.create(csrfSecret) };
  }

  async function signOut(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (request.credential?.kind === 'session') await deleteSession(pool, request.credential.idHash);
    reply.clearCookie(cookieName, { path: '/', httpOnly: true, secure: settings.secureCookies, sameSite: 'lax' });
  }

  return { cookieName, authenticate, checkCsrf, csrfToken, signIn, signOut };
}

export type Auth = ReturnType<typeof createAuth>;
