import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { PeopleError, type Change, type PeopleRefusal, type Unit } from '../../../registry/officers';
import { route, type DeskRoute, type RouteContext } from '../../api/route';
import { DeskError } from '../../errors';
import { pageContext } from '../context';
import type { DeskFormat } from '../format';
import { DoneQuery, PostedForm, submit } from '../forms';
import { html, type Html } from '../html';
import type { PageContext } from '../layout';

// What the admin pages share: their routes' shape, who made a change, the register's refusals
// in Thai, the unit tree.

/** An admin's page (GET), with the banner of what was just done (?done=). */
export function adminPage<P = Record<string, never>>(
  ctx: RouteContext,
  url: string,
  show: (c: PageContext, note: { done?: string }, params: P) => Promise<Html>,
  params?: z.ZodType<P>,
): DeskRoute {
  return route({
    method: 'GET',
    url,
    auth: 'admin',
    page: true,
    schema: { hide: true, querystring: DoneQuery, ...(params ? { params } : {}) },
    async handler(request) {
      return show(pageContext(ctx, request), { done: request.query.done }, request.params as P);
    },
  });
}

/** A request to an admin's form: its path's parameters, the fields posted. */
export type FormRequest<P> = FastifyRequest & { params: P; body: Record<string, unknown> };

/**
 * An admin's form (POST): `act` makes the change and names where to go (or gives the page to
 * answer with); a refusal, the register's included, shows the page again, drawn by `again`.
 */
export function adminForm<P = Record<string, never>>(
  ctx: RouteContext,
  url: string,
  form: {
    params?: z.ZodType<P>;
    act: (request: FormRequest<P>, c: PageContext, reply: FastifyReply) => Promise<string | Html>;
    again: (request: FormRequest<P>, c: PageContext, problem: string) => Promise<Html>;
  },
): DeskRoute {
  return route({
    method: 'POST',
    url,
    auth: 'admin',
    page: true,
    schema: { hide: true, body: PostedForm, ...(form.params ? { params: form.params } : {}) },
    async handler(request, reply) {
      const c = pageContext(ctx, request);
      const posted = request as FormRequest<P>;
      return submit(
        reply,
        () => form.act(posted, c, reply),
        (problem) => form.again(posted, c, problem),
        peopleRefusal(c.format),
      );
    },
  });
}

/** A change made at the desk, for its audit event: the admin by username, the desk's clock. */
export const changeBy = (ctx: RouteContext, request: FastifyRequest): Change => ({
  actor: `officer:${request.officer.username}`,
  at: ctx.clock(),
});

const REFUSALS: Record<PeopleRefusal, (f: DeskFormat) => [number, string]> = {
  'no-parent-unit': () => [400, 'ไม่พบหน่วยงานต้นสังกัดที่เลือก'],
  'unit-exists': () => [409, 'มีหน่วยงานรหัสนี้อยู่แล้ว กรุณาใช้รหัสอื่น'],
  'unusable-unit-code': (f) => [400, `รหัสหน่วยงานใช้ได้เฉพาะตัวอักษรอังกฤษ ตัวเลข และเครื่องหมาย . _ - ยาวไม่เกิน ${f.digits(32)} ตัว`],
  'unusable-username': (f) => [400, `ชื่อผู้ใช้ใช้ได้เฉพาะตัวอักษร a-z ตัวเลข และเครื่องหมาย . _ - ยาวไม่เกิน ${f.digits(64)} ตัว`],
  'no-unit': () => [400, 'ไม่พบหน่วยงานที่เลือก'],
  'bad-email': () => [400, 'ที่อยู่อีเมลไม่ถูกต้อง (เขียนเป็น name@domain)'],
  'officer-exists': () => [409, 'มีเจ้าหน้าที่ที่ใช้ชื่อผู้ใช้นี้อยู่แล้ว กรุณาใช้ชื่อผู้ใช้อื่น'],
  'no-officer': () => [404, 'ไม่พบเจ้าหน้าที่ผู้นี้'],
  'officer-disabled': () => [409, 'บัญชีของเจ้าหน้าที่ผู้นี้ปิดแล้ว จึงออกโทเคนให้ไม่ได้'],
  'no-token': () => [404, 'ไม่พบโทเคนนี้ หรือโทเคนถูกยกเลิกไปแล้ว'],
};

/** A refusal of the register's about its people, as the desk says it. */
export function refusal(reason: PeopleRefusal, f: DeskFormat): DeskError {
  const [status, message] = REFUSALS[reason](f);
  return new DeskError(status, reason, message);
}

/** The register's refusal (registry/officers.ts PeopleError) as the desk says it; null for anything else. */
export const peopleRefusal =
  (f: DeskFormat) =>
  (err: unknown): DeskError | null =>
    err instanceof PeopleError ? refusal(err.reason, f) : null;

/** The units in the order of the tree (กอง, then its ฝ่าย, then their งาน), each with its depth. */
export function unitTree(units: readonly Unit[]): Array<{ unit: Unit; depth: number }> {
  const children = new Map<number | null, Unit[]>();
  for (const u of units) children.set(u.parentId, [...(children.get(u.parentId) ?? []), u]);
  const ordered: Array<{ unit: Unit; depth: number }> = [];
  const walk = (parentId: number | null, depth: number) => {
    for (const unit of children.get(parentId) ?? []) {
      ordered.push({ unit, depth });
      walk(unit.id, depth + 1);
    }
  };
  walk(null, 0);
  return ordered;
}

/** A select's options for a unit: the tree's order, indented; `empty` is the option for none. */
export function unitOptions(units: readonly Unit[], selected: string | null | undefined, empty: string): Html {
  const options = unitTree(units).map(
    ({ unit, depth }) =>
      html`<option value="${unit.code}"${unit.code === selected ? html` selected` : ''}>${'\u00a0\u00a0\u00a0'.repeat(depth)}${unit.name} (${unit.code})</option>`,
  );
  return html`<option value="">${empty}</option>${options}`;
}
