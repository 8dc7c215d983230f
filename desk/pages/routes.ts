import type { DeskRoute, RouteContext } from '../api/route';
import { contactPageRoutes } from './contact';
import { loginRoutes } from './login';
import { queueRoutes } from './queue';

/** The desk's pages for a browser, in Thai: each one a route of the table, with its access. */
export function pageRoutes(ctx: RouteContext): DeskRoute[] {
  return [...loginRoutes(ctx), ...queueRoutes(ctx), ...contactPageRoutes(ctx)];
}
