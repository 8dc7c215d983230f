import type { DeskRoute, RouteContext } from '../api/route';
import { adminOfficerRoutes } from './admin/officers';
import { adminRoutingRoutes } from './admin/routing';
import { adminTokenRoutes } from './admin/tokens';
import { adminUnitRoutes } from './admin/units';
import { contactPageRoutes } from './contact';
import { heldRoutes } from './held';
import { letterPageRoutes } from './letter';
import { loginRoutes } from './login';
import { queueRoutes } from './queue';
import { registerRoutes } from './register';
import { repliesRoutes } from './replies';

/** The desk's pages for a browser, in Thai: each one a route of the table, with its access. */
export function pageRoutes(ctx: RouteContext): DeskRoute[] {
  return [
    ...loginRoutes(ctx),
    ...queueRoutes(ctx),
    ...letterPageRoutes(ctx),
    ...registerRoutes(ctx),
    ...heldRoutes(ctx),
    ...repliesRoutes(ctx),
    ...adminOfficerRoutes(ctx),
    ...adminUnitRoutes(ctx),
    ...adminRoutingRoutes(ctx),
    ...adminTokenRoutes(ctx),
    ...contactPageRoutes(ctx),
  ];
}
