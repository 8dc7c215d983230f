import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { DeskError } from '../errors';
import type { Html } from './html';

// Forms that change something, answered the same way on every page: the fields read by a zod
// schema whose messages are Thai and name the field; done: 303 back (Post/Redirect/Get) with
// ?done=<code>; refused: the same page again, the reason in its banner, with the refusal's status.

/**
 * A posted form as its route declares it: any fields. The form's own schema reads them in the
 * handler, so a mistake comes back on the page with the form rather than as a bare error page.
 */
export const PostedForm = z.record(z.string(), z.unknown());

/** What a page that answers forms takes in its query string: which change was just done. */
export const DoneQuery = z.object({ done: z.string().max(40).optional() });

/** Reads a form with its schema; otherwise a DeskError 400 saying, in Thai, every field that is wrong. */
export function readForm<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const read = schema.safeParse(body ?? {});
  if (read.success) return read.data;
  throw new DeskError(400, 'invalid', [...new Set(read.error.issues.map((i) => i.message))].join(' '));
}

/** A field that must be filled in; `label` names it in the message (ชื่อผู้ใช้, ชื่อ สกุล ...). */
export const requiredText = (label: string, max = 200) =>
  z
    .string({ error: `กรุณากรอก${label}` })
    .trim()
    .min(1, `กรุณากรอก${label}`)
    .max(max, `${label}ยาวเกินไป`);

/** A field that may stay empty: empty reads as not given. */
export const optionalText = (label: string, max = 200) =>
  z
    .string({ error: `${label}ไม่ถูกต้อง` })
    .trim()
    .max(max, `${label}ยาวเกินไป`)
    .optional()
    .transform((v) => v || undefined);

/** One of a select's or a button's values. */
export const choice = <const T extends readonly [string, ...string[]]>(label: string, values: T) =>
  z.enum(values, { error: `กรุณาเลือก${label}` });

/** A yes/no sent as a button's value ("true" or "false"). */
export const yesNo = (label: string) => choice(label, ['true', 'false']).transform((v) => v === 'true');

/** What was typed into these fields, to give the form back filled in when it was refused. */
export function typedFields<K extends string>(body: Record<string, unknown>, keys: readonly K[]): Partial<Record<K, string>> {
  const typed: Partial<Record<K, string>> = {};
  for (const k of keys) if (typeof body[k] === 'string') typed[k] = body[k];
  return typed;
}

/**
 * Does what a form asks and answers 303 to the address `act` gives (or, rarely, with the page it
 * gives: what can be shown only once). A refusal (a DeskError, or what `translate` makes of a
 * registry's refusal) shows the page again, drawn by `again`, with the refusal's status;
 * anything else is a failure and goes to the error handler.
 */
export async function submit(
  reply: FastifyReply,
  act: () => Promise<string | Html>,
  again: (problem: string) => Promise<Html>,
  translate: (err: unknown) => DeskError | null = () => null,
): Promise<Html | FastifyReply> {
  let done: string | Html;
  try {
    done = await act();
  } catch (err) {
    const refusal = err instanceof DeskError ? err : translate(err);
    if (!refusal) throw err;
    reply.code(refusal.statusCode);
    return again(refusal.message);
  }
  return typeof done === 'string' ? reply.redirect(done, 303) : done;
}
