import type { FastifyRequest } from 'fastify';
import type { RouteContext } from '../api/route';
import { deskFormat } from './format';
import type { PageContext } from './layout';

/** What a page handler draws its page with, from the request and the desk's settings. */
export function pageContext(ctx: RouteContext, request: FastifyRequest): PageContext {
  return {
    officer: request.officer,
    // A page opened with a bearer token has no session, so its forms cannot change anything.
    csrfToken: ctx.auth.csrfToken(request) ?? '',
    format: deskFormat(ctx.config.desk.digits),
    agencyName: ctx.config.agency.name,
    path: request.url.split('?')[0],
  };
}
