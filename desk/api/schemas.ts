import { z } from 'zod';

/** Every error the desk answers, whatever failed: a code for programs, a message for people. */
export const ErrorBody = z
  .object({
    code: z
      .string()
      .describe('stable, for programs: unauthenticated, forbidden, csrf, invalid, not-found, locked, too-many-requests, internal, ...'),
    message: z.string().describe('for people: what went wrong and what to change'),
  })
  .meta({ id: 'Error' });

/** The error responses a route may give, for its schema (and so for /api/docs). */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorBody> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorBody]));
}

export const OfficerBody = z
  .object({
    id: z.number().int(),
    username: z.string(),
    name: z.string().describe('ชื่อ สกุล'),
    role: z.enum(['officer', 'supervisor', 'admin']),
    unitId: z.number().int().nullable(),
    secretClearance: z.boolean().describe('may see letters marked ลับ and ลับมาก'),
  })
  .meta({ id: 'Officer' });
