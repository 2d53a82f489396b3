import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from './http-errors.ts';

/** Who may call a route: anyone (`open`), the demo page's public key or better (`public`), full keys only (`full`). */
export type Access = 'open' | 'public' | 'full';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
}

export interface KeyRing {
  readonly keys: readonly string[];
  /** Empty: no public key. */
  readonly publicKey: string;
}

// Hashing both sides gives equal lengths, so the comparison is constant-time whatever was sent.
const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
const same = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b));

/** The key a request carries: the `x-api-key` header, or `api_key` in the query (beacons cannot set headers). */
export function presentedKey(request: FastifyRequest): string | null {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header !== '') return header;
  const query = request.query as Record<string, unknown> | undefined;
  const fromQuery = query?.['api_key'];
  return typeof fromQuery === 'string' && fromQuery !== '' ? fromQuery : null;
}

/** The access a key grants, or null for an unknown key. */
export function accessOf(ring: KeyRing, key: string): Exclude<Access, 'open'> | null {
  if (ring.keys.some((known) => same(known, key))) return 'full';
  if (ring.publicKey !== '' && same(ring.publicKey, key)) return 'public';
  return null;
}

/** onRequest hook: enforces each route's `config.access` (default `full` under /v1/, `open` for the static demo files). */
export function authenticate(ring: KeyRing) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const needed = request.routeOptions.config.access ?? (request.url.startsWith('/v1/') ? 'full' : 'open');
    if (needed === 'open') return;
    const key = presentedKey(request);
    if (key === null) return void (await reply.status(401).send(errorBody('REC_AUTH', 'missing API key: send it in the x-api-key header')));
    const granted = accessOf(ring, key);
    if (granted === null) return void (await reply.status(401).send(errorBody('REC_AUTH', 'unknown API key')));
    if (needed === 'full' && granted !== 'full') return void (await reply.status(403).send(errorBody('REC_FORBIDDEN', 'this key may not call this endpoint')));
  };
}
