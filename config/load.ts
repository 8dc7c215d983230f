import { readFileSync } from 'node:fs';
import path from 'node:path';
import { closest, distance } from 'fastest-levenshtein';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { configSchema, type Config, type ImapMailbox } from './schema';

export type { Config, Book, ImapMailbox, ReconcilerSettings, ReminderSettings, RoutingSettings } from './schema';

/** The settings could not be used; the message says what to change. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const exampleConfigPath = path.join(__dirname, 'saraban.example.yaml');

/**
 * Reads the YAML file named by SARABAN_CONFIG (the example when unset), applies the
 * environment overrides deployments use, and validates the result. The only reader of
 * settings: everything else receives the returned object.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const file = env.SARABAN_CONFIG || exampleConfigPath;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read the settings file ${file} (${(err as Error).message}); set SARABAN_CONFIG to a readable YAML file`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (err) {
    throw new ConfigError(`${file} is not valid YAML: ${(err as Error).message}`);
  }
  return parseConfig(applyEnv(raw as Record<string, unknown>, env), file, path.dirname(file));
}

/** Validates settings; relative file names in them are taken from baseDir (the settings file's folder). */
export function parseConfig(raw: unknown, source = 'settings', baseDir = path.dirname(exampleConfigPath)): Config {
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.flatMap((i) =>
      i.code === 'unrecognized_keys'
        ? i.keys.map((key) => `  - ${[...i.path, key].join('.')}: ${RETIRED[[...i.path, key].join('.')] ?? unknownKey(i.path, key)}`)
        : [`  - ${i.path.join('.') || '(top level)'}: ${i.message}`],
    );
    throw new ConfigError(`${source} has ${lines.length} problem(s):\n${lines.join('\n')}`);
  }
  const config = result.data;
  config.letters.agencyDirectory = path.resolve(baseDir, config.letters.agencyDirectory);
  return config;
}

// Settings that were replaced: an old settings file is told what to write instead.
const RETIRED: Readonly<Record<string, string>> = {
  'replies.perSenderPerDay':
    'no longer a setting: replies are held back by windows per trust tier, replies.trusted|authenticated|unverified.windows (README, "Reply caps")',
  'replies.globalPerHour':
    'no longer a setting: use replies.allSendersPerHour, which counts each sender at most its tier\'s hourlyShare (README, "Reply caps")',
};

/** A misspelt setting is refused, not silently replaced by its default: name the setting meant. */
function unknownKey(at: PropertyKey[], key: string): string {
  const known = Object.keys(shapeAt(configSchema, at) ?? {});
  const near = known.length ? closest(key, known) : null;
  // Two edits or a third of the name: a misspelling, not another setting.
  const likely = near !== null && distance(key, near) <= Math.max(2, Math.floor(near.length / 3));
  return `unknown setting${likely ? `; did you mean ${[...at, near].join('.')}?` : ''} (known here: ${known.join(', ')})`;
}

/** The object schema's fields at a path of the settings, looking through defaults, arrays and transforms. */
function shapeAt(schema: z.core.$ZodType, at: PropertyKey[]): Record<string, unknown> | null {
  let node: z.core.$ZodType | undefined = schema;
  for (let i = 0; node;) {
    const def = node._zod.def as unknown as Record<string, unknown>;
    if ('innerType' in def)
      node = def.innerType as z.core.$ZodType; // default, prefault, optional
    else if (def.type === 'pipe')
      node = def.in as z.core.$ZodType; // transform
    else if (i === at.length) return def.type === 'object' ? (def.shape as Record<string, unknown>) : null;
    else if (def.type === 'array') node = typeof at[i++] === 'number' ? (def.element as z.core.$ZodType) : undefined;
    else if (def.type === 'object') node = (def.shape as Record<string, z.core.$ZodType>)[at[i++] as string];
    else return null;
  }
  return null;
}

/** The agency directory's text (CSV), read once at start; a missing file is an operator error. */
export function readAgencyDirectory(config: Config): string {
  try {
    return readFileSync(config.letters.agencyDirectory, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `cannot read the agency directory ${config.letters.agencyDirectory} (${(err as Error).message}); set letters.agencyDirectory to a CSV file with the columns match,name`,
    );
  }
}

function applyEnv(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const section = (name: string) => ({ ...((raw[name] as Record<string, unknown> | undefined) ?? {}) });
  const out = { ...raw };
  if (env.DATABASE_URL) out.database = { ...section('database'), url: env.DATABASE_URL };
  if (env.REDIS_URL) out.redis = { ...section('redis'), url: env.REDIS_URL };
  if (env.SARABAN_RELAY_URL) out.relay = { ...section('relay'), url: env.SARABAN_RELAY_URL };
  if (env.SARABAN_SMTP_PORT) out.smtp = { ...section('smtp'), port: port('SARABAN_SMTP_PORT', env.SARABAN_SMTP_PORT) };
  if (env.SARABAN_DESK_PORT) out.desk = { ...section('desk'), port: port('SARABAN_DESK_PORT', env.SARABAN_DESK_PORT) };
  if (env.SARABAN_IMAP_URL) out.imap = [...((raw.imap as unknown[] | undefined) ?? []), imapFromUrl(env.SARABAN_IMAP_URL)];
  return out;
}

/** imap[s]://user:password@host:port/Folder (URL-encoded) -> one mailbox feeding the first book. */
export function imapFromUrl(value: string): Record<string, unknown> {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`SARABAN_IMAP_URL is not a URL; write imaps://user:password@host:993/INBOX (URL-encode @ and : in the password)`);
  }
  if (url.protocol !== 'imap:' && url.protocol !== 'imaps:') {
    throw new ConfigError(`SARABAN_IMAP_URL must start with imap:// or imaps://, not ${url.protocol}//`);
  }
  if (!url.username || !url.password)
    throw new ConfigError('SARABAN_IMAP_URL needs a user and a password: imaps://user:password@host/INBOX');
  const folder = decodeURIComponent(url.pathname.replace(/^\//, ''));
  return {
    host: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    secure: url.protocol === 'imaps:',
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    ...(folder ? { folder } : {}),
  };
}

function port(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`${name}=${value} is not a port number (0-65535)`);
  return n;
}

/** How a mailbox is named in the register, logs and metrics. */
export const mailboxKey = (m: ImapMailbox) => `${m.user}@${m.host}:${m.port}/${m.folder}`;

/** The book whose central address this is, if any (addresses compare case-insensitively). */
export function bookForAddress(config: Config, address: string) {
  const a = address.toLowerCase();
  return config.books.find((b) => b.addresses.includes(a));
}
