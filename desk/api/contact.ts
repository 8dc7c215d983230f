import { z } from 'zod';
import { officersOnDuty, type ContactSheet } from '../../letter/contact';
import { centralAddressReportFile, readContactSheet, REPORT_FORMATS } from '../../registry/contact';
import { errorResponses } from './schemas';
import { route, type DeskRoute, type RouteContext } from './route';

// What the Ministry's circular มท ๐๒๐๑.๒/ว ๕๙๕๑ asks an agency to publish (its central address and
// the officers who check it) and to report to DGA and the Ministry.

const ContactOfficer = z.object({
  name: z.string().describe('ชื่อ สกุล'),
  position: z.string().nullable().describe('ตำแหน่ง'),
  phone: z.string().nullable().describe('หมายเลขโทรศัพท์'),
});

export const ContactBody = z
  .object({
    agency: z.string().describe('ชื่อหน่วยงาน'),
    agencyEn: z.string().nullable(),
    centralAddresses: z.array(z.string()).describe('ที่อยู่ไปรษณีย์อิเล็กทรอนิกส์กลาง'),
    officeHours: z.string().describe('เวลาทำการ: when the mailbox is checked'),
    officers: z
      .array(ContactOfficer)
      .describe('the officers named to check the mailbox who are on duty today (all of them when every one is on leave)'),
    helpDesk: z
      .object({ name: z.string().nullable(), phone: z.string().nullable(), email: z.string().nullable(), address: z.string().nullable() })
      .nullable()
      .describe('whom a sender calls about a letter (agency.contact), when set'),
  })
  .meta({ id: 'Contact' });

export type Contact = z.infer<typeof ContactBody>;

/** The sheet as the public sees it: the officers on duty, and nothing of who is on leave. */
export function publicContact(sheet: ContactSheet): Contact {
  return {
    agency: sheet.agency,
    agencyEn: sheet.agencyEn,
    centralAddresses: sheet.addresses,
    officeHours: sheet.officeHours,
    officers: officersOnDuty(sheet.officers).map(({ name, position, phone }) => ({ name, position, phone })),
    helpDesk: sheet.helpDesk,
  };
}

export function contactRoutes({ pool, config, clock }: RouteContext): DeskRoute[] {
  return [
    route({
      method: 'GET',
      url: '/contact.json',
      auth: 'public',
      schema: {
        summary: "The agency's central address and the officers who check it, for its website to embed",
        tags: ['public'],
        response: { 200: ContactBody },
      },
      async handler(_request, reply) {
        // The agency's own website reads it from the browser: any origin may, and nothing
        // here is private (the circular asks for it to be published).
        reply
          .header('access-control-allow-origin', '*')
          .header('cross-origin-resource-policy', 'cross-origin')
          .header('cache-control', 'public, max-age=300');
        return publicContact(await readContactSheet(pool, config));
      },
    }),
    route({
      method: 'GET',
      url: '/api/reports/central-address',
      auth: 'admin',
      schema: {
        summary: 'The central-address report for DGA and the Ministry (agency, central address, officers, date), as PDF or CSV',
        tags: ['reports'],
        querystring: z.strictObject({ format: z.enum(REPORT_FORMATS).default('pdf') }),
        response: { 200: z.any().describe('the report, as a download'), ...errorResponses(400, 401, 403) },
      },
      async handler(request, reply) {
        const file = await centralAddressReportFile(pool, config, request.query.format, clock());
        return reply.type(file.contentType).header('content-disposition', `attachment; filename="${file.filename}"`).send(file.body);
      },
    }),
  ];
}
