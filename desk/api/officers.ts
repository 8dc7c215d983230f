import { z } from 'zod';
import { listOfficers } from '../../registry/officers';
import { errorResponses, OfficerBody } from './schemas';
import { route, type DeskRoute, type RouteContext } from './route';

const OfficerRecordBody = OfficerBody.extend({
  position: z.string().nullable().describe('ตำแหน่ง'),
  phone: z.string().nullable(),
  email: z.string().nullable().describe('where their reminders go'),
  unitCode: z.string().nullable(),
  onDuty: z.boolean().describe('false while on leave: routing passes them by'),
  checksMailbox: z.boolean().describe('named to check the central mailbox: on /contact and in the central-address report'),
  disabledAt: z.date().nullable(),
});

/** The people of the desk, for its admin. */
export function officerRoutes({ pool }: RouteContext): DeskRoute[] {
  return [
    route({
      method: 'GET',
      url: '/api/officers',
      auth: 'admin',
      schema: {
        summary: 'Every officer, disabled ones too',
        tags: ['people'],
        response: { 200: z.object({ officers: z.array(OfficerRecordBody) }), ...errorResponses(401, 403) },
      },
      async handler() {
        return { officers: await listOfficers(pool) };
      },
    }),
  ];
}
