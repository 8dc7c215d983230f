import { createHash, randomBytes } from 'node:crypto';

/**
 * Session ids and API tokens: 256 random bits, so one SHA-256 is enough to store them (no
 * slow hash: there is nothing to guess). Tokens carry a prefix that secret scanners and
 * operators recognise.
 */
export const newSessionId = (): string => randomBytes(32).toString('base64url');

export const TOKEN_PREFIX = 'sgw_';

export const newApiToken = (): string => TOKEN_PREFIX + randomBytes(32).toString('base64url');

export const secretHash = (secret: string): Buffer => createHash('sha256').update(secret, 'utf8').digest();
