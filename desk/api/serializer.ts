import fastJson from 'fast-json-stringify';
import type { FastifySerializerCompiler } from 'fastify';
import { z } from 'zod';

type JsonSchema = Record<string, unknown>;

/**
 * The desk's answers are written by fastify's own serializer (fast-json-stringify), compiled
 * from the JSON Schema of each route's zod response schema: the same schema /api/docs shows.
 * fastify-type-provider-zod's serializer encodes every answer with zod, then JSON.stringify:
 * a fifth of the desk's CPU on a page of the queue (docs/PERFORMANCE.md). Like it, this one
 * writes only the properties the schema names, so a field a handler adds by mistake never
 * leaves the desk; unlike it, it does not check an answer's values at run time: the handlers'
 * return types are checked against the same schemas when the code is compiled, and the tests'
 * desks check every answer with zod as well (`check`, DeskDeps.checkAnswers).
 */
export function serializerCompiler({ check = false } = {}): FastifySerializerCompiler<z.ZodType> {
  return ({ schema }) => {
    const write = fastJson(responseJsonSchema(schema) as never);
    // fast-json-stringify coerces what does not fit (a null in a field that may not be null is
    // written as "" or 0): the tests' desks check every answer with zod first, which throws.
    if (!check) return write;
    return (data) => {
      z.encode(schema, data);
      return write(data);
    };
  };
}

/** A response schema as JSON Schema, in the forms fast-json-stringify writes fastest. */
export function responseJsonSchema(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, {
    io: 'output',
    target: 'draft-7',
    unrepresentable: 'any',
    // A Date leaves as its ISO 8601 text, as JSON.stringify writes it (fast-json-stringify
    // calls toISOString for format date-time).
    override: ({ zodSchema, jsonSchema }) => {
      if (zodSchema._zod.def.type === 'date') Object.assign(jsonSchema, { type: 'string', format: 'date-time' });
    },
  }) as JsonSchema;
  return nullableAsType(json) as JsonSchema;
}

/**
 * zod writes `.nullable()` as anyOf [T, {type: null}]; fast-json-stringify would pick the branch
 * of an anyOf by validating the value against each. A type list (["string", "null"]) says the
 * same and is written with a test for null.
 */
function nullableAsType(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullableAsType);
  if (node === null || typeof node !== 'object') return node;
  const out: JsonSchema = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, nullableAsType(v)]));
  const anyOf = out.anyOf as JsonSchema[] | undefined;
  if (anyOf?.length === 2) {
    const nullAt = anyOf.findIndex((s) => s.type === 'null' && Object.keys(s).length === 1);
    const other = anyOf[1 - nullAt];
    if (nullAt >= 0 && typeof other.type === 'string') {
      delete out.anyOf;
      return { ...out, ...other, type: [other.type, 'null'] };
    }
  }
  return out;
}
