import { z } from 'zod';
import { CSRF_FIELD } from '../auth/session';
import { ErrorBody, errorResponses, OfficerBody } from './schemas';
import { route, type DeskRoute, type RouteContext } from './route';

const Login = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(1024),
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
        description: `A JSON or form (application/x-www-form-urlencoded) body. Every sign-in opens a new session. ${config.desk.login.maxFailures} wrong passwords in a row lock the officer out for ${config.desk.login.lockMinutes} minutes.`,
        tags: ['session'],
        body: Login,
        response: {
          200: z.object({
            officer: OfficerBody,
            csrfToken: z.string().describe(`send it in the x-csrf-token header or the ${CSRF_FIELD} form field`),
          }),
          ...errorResponses(400, 401, 423),
          429: ErrorBody,
        },
      },
      async handler(request, reply) {
        return auth.signIn(request, reply, request.body.username, request.body.password);
      },
    }),
    route({
      method: 'POST',
      url: '/logout',
      auth: 'officer',
      schema: {
        summary: 'Sign out: ends this session',
        tags: ['session'],
        response: { 204: z.null(), ...errorResponses(401, 403) },
      },
      async handler(request, reply) {
        await auth.signOut(request, reply);
        return reply.code(204).send(null);
      },
    }),
  ];
}
