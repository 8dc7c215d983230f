import { z } from 'zod';
import { errorResponses, OfficerBody } from './schemas';
import { route, type DeskRoute, type RouteContext } from './route';

export function meRoutes({ auth }: RouteContext): DeskRoute[] {
  return [
    route({
      method: 'GET',
      url: '/api/me',
      auth: 'officer',
      schema: {
        summary: 'The caller',
        tags: ['session'],
        response: {
          200: OfficerBody.extend({
            csrfToken: z.string().optional().describe('for a session: the token requests that change something must carry'),
          }),
          ...errorResponses(401),
        },
      },
      async handler(request) {
        return { ...request.officer, csrfToken: auth.csrfToken(request) };
      },
    }),
  ];
}
