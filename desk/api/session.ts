import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { CSRF_FIELD } from '../auth/session';
import { DeskError } from '../errors';
import { fromBrowser } from '../pages/errors';
import { loginPage, safeNext } from '../pages/login';
import { ErrorBody, errorResponses, OfficerBody } from './schemas';
import { route, type DeskRoute, type RouteContext } from './route';

const Login = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(1024),
  next: z.string().max(2000).optional().describe("a browser's sign-in form: the desk page to go to after"),
});

/** Signing in and out: the desk's sessions (cookie), for officers at a browser. */
export function sessionRoutes({ auth, config }: RouteContext): DeskRoute[] {
  return [
    route({
      method: 'POST',
      url: '/login',
      auth: 'public',
      perMinute: config.desk.login.perMinute,
      schema: {
        summary: 'Sign in: sets the session cookie and answers the CSRF token for requests that change something',
        description: `A JSON or form (application/x-www-form-urlencoded) body. Every sign-in opens a new session. A browser (Accept: text/html) is sent on to \`next\` (303) or shown the form again with what went wrong. ${config.desk.login.maxFailures} wrong passwords in a row lock the officer out for ${config.desk.login.lockMinutes} minutes. A sign-in a browser sends from another site's page (Sec-Fetch-Site other than same-origin or none) is refused: 403 cross-site.`,
        tags: ['session'],
        body: Login,
        response: {
          200: z.object({
            officer: OfficerBody,
            csrfToken: z.string().describe(`send it in the x-csrf-token header or the ${CSRF_FIELD} form field`),
          }),
          ...errorResponses(400, 401, 403, 423),
          429: ErrorBody,
        },
      },
      async handler(request, reply) {
        const { username, password } = request.body;
        if (!fromBrowser(request)) return auth.signIn(request, reply, username, password);
        const next = safeNext(request.body.next);
        try {
          await auth.signIn(request, reply, username, password);
          return reply.redirect(next, 303);
        } catch (err) {
          if (!(err instanceof DeskError)) throw err;
          // The form again, with why: a page, outside this route's JSON schema.
          const page = reply as unknown as FastifyReply;
          return page.code(err.statusCode).type('text/html; charset=utf-8').send(loginPage(config.agency.name, next, err.message, username).markup);
        }
      },
    }),
    route({
      method: 'POST',
      url: '/logout',
      auth: 'officer',
      schema: {
        summary: 'Sign out: ends this session',
        tags: ['session'],
        description: 'A browser (Accept: text/html) is sent to the sign-in page (303).',
        response: { 204: z.null(), ...errorResponses(401, 403) },
      },
      async handler(request, reply) {
        await auth.signOut(request, reply);
        return fromBrowser(request) ? reply.redirect('/login', 303) : reply.code(204).send(null);
      },
    }),
  ];
}
