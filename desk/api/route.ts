import type {
  ContextConfigDefault,
  FastifySchema,
  HTTPMethods,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
  RouteGenericInterface,
  RouteHandlerMethod,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Officer } from '../../letter/access';
import type { Auth } from '../auth/session';
import type { DeskContext } from '../context';

/** Who may call a route: anyone, or a signed-in officer of at least this role. */
export type Access = 'public' | 'officer' | 'supervisor' | 'admin';

/** How the caller proved who they are. */
export type Credential = { kind: 'session'; idHash: Buffer; csrfSecret: string } | { kind: 'token'; tokenId: number };

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, on every route that is not public (null on public ones). */
    officer: Officer;
    credential: Credential | null;
  }
  interface FastifyContextConfig {
    /** Set from the route table; a route without it is treated as needing an officer. */
    access?: Access;
    /** A page for a browser: errors answer as HTML, and an officer not signed in is sent to /login. */
    page?: boolean;
  }
}

/**
 * One entry of the desk's route table. The schema's zod parts validate the request, type the
 * handler and become the route's part of /api/docs.
 */
export interface DeskRoute<S extends FastifySchema = FastifySchema> {
  method: HTTPMethods;
  url: string;
  auth: Access;
  schema: S & { summary?: string; description?: string; tags?: string[]; hide?: boolean };
  /** Requests from one client address per minute (the login's brute-force brake). */
  perMinute?: number;
  /** A page (desk/pages/): its handler returns Html, and its errors are pages too. */
  page?: boolean;
  handler: RouteHandlerMethod<
    RawServerDefault,
    RawRequestDefaultExpression,
    RawReplyDefaultExpression,
    RouteGenericInterface,
    ContextConfigDefault,
    S,
    ZodTypeProvider
  >;
}

/** Declares a route, typing its handler from its schema. */
export const route = <S extends FastifySchema>(r: DeskRoute<S>): DeskRoute => r as unknown as DeskRoute;

/** What route handlers are given: the desk's settings and connections, and its sign-in. */
export type RouteContext = DeskContext & { auth: Auth };
