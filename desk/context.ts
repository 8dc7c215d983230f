import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config/load';
import type { Pool } from '../registry/db';
import type { Clock } from '../registry/letters';
import type { Metrics } from './metrics';

/** What the desk's parts are given by bin/: settings, connections, the clock. */
export interface DeskDeps {
  config: Config;
  pool: Pool;
  redis: Redis;
  metrics: Metrics;
  logger: Logger;
  /** The time now; tests pass their own. */
  clock?: Clock;
  /** Sends a reply the desk planned (a returned letter's notice to its sender) through the mail queue. */
  queueReply: (replyId: number) => Promise<void>;
  /**
   * Every answer also checked against its zod schema before it is written (the tests' desks):
   * the serializer writes what it is given without checking its values (desk/api/serializer.ts).
   */
  checkAnswers?: boolean;
}

export type DeskContext = Required<DeskDeps>;
