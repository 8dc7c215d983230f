import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { contactRoutes } from './api/contact';
import { healthRoutes } from './api/health';
import { letterRoutes } from './api/letters';
import { meRoutes } from './api/me';
import { officerRoutes } from './api/officers';
import { replyRoutes } from './api/replies';
import { serializerCompiler } from './api/serializer';
import type { DeskRoute, RouteContext } from './api/route';
import { sessionRoutes } from './api/session';
import { createAuth } from './auth/session';
import type { DeskContext, DeskDeps } from './context';
import { DeskError } from './errors';
import { assetRoutes } from './pages/assets';
import { fromBrowser, sendErrorPage, toSignIn } from './pages/errors';
import { Html } from './pages/html';
import { pageRoutes } from './pages/routes';

export type { DeskDeps } from './context';

/** The desk's routes, all of them: each says who may call it (its `auth`). */
export function routeTable(ctx: RouteContext): DeskRoute[] {
  return [
    ...healthRoutes(ctx),
    ...sessionRoutes(ctx),
    ...meRoutes(ctx),
    ...officerRoutes(ctx),
    ...letterRoutes(ctx),
    ...replyRoutes(ctx),
    ...contactRoutes(ctx),
    docsRoute(),
    ...assetRoutes(),
    ...pageRoutes(ctx),
  ];
}

/**
 * The API's description, made by @fastify/swagger from the same zod schemas that validate the
 * requests. Public: the project is open source, so it tells nobody more than the code does,
 * and a script's author reads it before they have a token.
 */
function docsRoute(): DeskRoute {
  return {
    method: 'GET',
    url: '/api/docs',
    auth: 'public',
    schema: { hide: true },
    handler: (request) => request.server.swagger(),
  };
}

/** The desk's HTTP server: health and metrics for the operator, the officers' API. */
export function createDesk(deps: DeskDeps): FastifyInstance {
  const ctx: DeskContext = { ...deps, clock: deps.clock ?? (() => new Date()), checkAnswers: deps.checkAnswers ?? false };
  const { config } = ctx;
  // Requests at warn and above only: a Prometheus scrape every few seconds is not news.
  const app = Fastify({
    loggerInstance: deps.logger.child({}, { level: 'warn' }) as FastifyBaseLogger,
    trustProxy: config.desk.trustProxy,
  });
  const auth = createAuth(ctx);

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler({ check: ctx.checkAnswers }));
  app.register(helmet, {
    contentSecurityPolicy: {
      // Everything from the desk itself: no inline script or style, no CDN, PDFs framed by our own pages only.
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
        fontSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        frameSrc: ["'self'"],
        frameAncestors: ["'self'"],
        formAction: ["'self'"],
        baseUri: ["'self'"],
        ...(config.desk.secureCookies ? { upgradeInsecureRequests: [] } : {}),
      },
    },
  });
  app.register(cookie);
  app.register(formbody);
  // Counted in Redis, so every desk process behind the proxy shares one count. Should Redis be
  // away, sign-in goes on: the lockout, kept in PostgreSQL, still stops guessing.
  app.register(rateLimit, {
    global: false,
    redis: deps.redis,
    nameSpace: `${config.redis.prefix}:desk-rate:`,
    skipOnError: true,
    errorResponseBuilder: (_request, context) =>
      new DeskError(
        429,
        'too-many-requests',
        `มีการเข้าสู่ระบบจากเครื่องนี้บ่อยเกินไป กรุณารอสักครู่ (too many attempts from this address: try again in ${Math.ceil(context.ttl / 1000)} s)`,
      ),
  });
  app.register(swagger, {
    openapi: {
      info: { title: 'saraban-gateway desk API', version: '1' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'a token from `saraban token create --username U`' },
          session: { type: 'apiKey', in: 'cookie', name: auth.cookieName, description: 'the cookie POST /login sets' },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  app.decorateRequest('officer', null as never);
  app.decorateRequest('credential', null);
  app.addHook('onRequest', auth.authenticate);
  app.addHook('preHandler', auth.checkCsrf);
  app.setErrorHandler(answerError);
  app.setNotFoundHandler((request, reply) => {
    if (fromBrowser(request) && !request.url.startsWith('/api/')) {
      return sendErrorPage(reply, 404, `ไม่พบหน้า ${request.url} (no such page)`);
    }
    return reply
      .code(404)
      .send({ code: 'not-found', message: `ไม่พบ ${request.method} ${request.url} (no such route; the API is described at /api/docs)` });
  });

  const routes = routeTable({ ...ctx, auth });
  app.register(async (api) => {
    for (const r of routes) {
      const security: Record<string, string[]>[] = r.auth === 'public' ? [] : [{ bearer: [] }, { session: [] }];
      api.route({
        method: r.method,
        url: r.url,
        schema: { ...r.schema, security },
        config: {
          access: r.auth,
          page: r.page === true,
          ...(r.perMinute ? { rateLimit: { max: r.perMinute, timeWindow: 60_000 } } : {}),
        },
        ...(r.page ? { preValidation: withoutEmptyFields } : {}),
        handler: r.page ? sendsPage(r.handler) : r.handler,
      });
    }
  });
  return app;
}

/**
 * A browser sends a form's every field, the ones left empty as `from=&to=` or `note=`: on a
 * page an empty field means "not given", as if the field were not there (`from=` is no date,
 * `note=` no note).
 */
async function withoutEmptyFields(request: FastifyRequest): Promise<void> {
  for (const fields of [request.query, request.body]) {
    if (!fields || typeof fields !== 'object') continue;
    const named = fields as Record<string, unknown>;
    for (const [name, value] of Object.entries(named)) if (value === '') delete named[name];
  }
}

/** A page's handler returns Html: sent as the page. (A redirect or a file it sends itself.) */
function sendsPage(handler: DeskRoute['handler']): DeskRoute['handler'] {
  return async function (this: FastifyInstance, request, reply) {
    const out: unknown = await handler.call(this, request, reply);
    return out instanceof Html ? reply.type('text/html; charset=utf-8').send(out.markup) : out;
  };
}

/** Every error, the desk's own and fastify's, answered as { code, message }; on a page, as a page. */
function answerError(error: FastifyError | DeskError, request: FastifyRequest, reply: FastifyReply) {
  // Pages, and a browser's form posted outside /api/ (sign-in, sign-out), are answered as pages.
  if (request.routeOptions.config?.page || (fromBrowser(request) && !request.url.startsWith('/api/'))) {
    return answerErrorPage(error, request, reply);
  }
  if (error instanceof DeskError) return reply.code(error.statusCode).send({ code: error.code, message: error.message });
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext ?? 'request';
    const problems = error.validation.map((v) => `${where}${v.instancePath.replaceAll('/', '.')}: ${v.message}`);
    return reply.code(400).send({ code: 'invalid', message: problems.join('; ') });
  }
  const status = error.statusCode ?? 500;
  if (status >= 500) {
    request.log.error({ err: error }, 'desk request failed');
    return reply.code(status).send({ code: 'internal', message: 'ระบบขัดข้อง (the desk failed; the log says why)' });
  }
  // fastify's own refusals (a body that is not JSON, too large, a wrong content type).
  return reply.code(status).send({
    code: error.code
      ? error.code
          .replace(/^FST_ERR_/, '')
          .toLowerCase()
          .replaceAll('_', '-')
      : 'bad-request',
    message: error.message,
  });
}

/** On a page: the sign-in page for whoever is not signed in; any other refusal as a page that says why. */
function answerErrorPage(error: FastifyError | DeskError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof DeskError) {
    return error.statusCode === 401 ? toSignIn(request, reply) : sendErrorPage(reply, error.statusCode, error.message);
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    return sendErrorPage(reply, 400, `ข้อมูลที่ส่งมาไม่ถูกต้อง: ${error.validation.map((v) => `${v.instancePath || 'request'} ${v.message}`).join('; ')}`);
  }
  const status = error.statusCode ?? 500;
  if (status >= 500) request.log.error({ err: error }, 'desk page failed');
  return sendErrorPage(reply, status, status >= 500 ? 'ระบบขัดข้อง กรุณาลองใหม่ หรือแจ้งผู้ดูแลระบบ (the desk failed; the log says why)' : error.message);
}
