import { createHmac } from 'node:crypto';

/** Maps a user id to the pseudonym stored in ClickHouse. */
export type Pseudonymizer = (userId: string) => string;

/**
 * A keyed hash (HMAC-SHA256, 128 bits, base64url) of the user id: the same user always gets the same
 * pseudonym, so analysts can still count and join per shopper, but without the key nobody can tell
 * which shopper it is, or test a guessed id against it.
 */
export function pseudonymizer(key: string): Pseudonymizer {
  return (userId) => `p_${createHmac('sha256', key).update(userId).digest('base64url').slice(0, 22)}`;
}

// "user_id": "…" in any (possibly broken) JSON text, the value as written (escapes kept).
const USER_ID_FIELD = /("user_id"\s*:\s*")((?:[^"\\]|\\.)*)(")/g;

/**
 * The raw payload of a dead letter with every `"user_id": "…"` value replaced by its pseudonym: a
 * record can be rejected for any reason, and its raw text must not carry the id into ClickHouse either.
 */
export function redactUserIds(payload: string, pseudonym: Pseudonymizer): string {
  return payload.replace(USER_ID_FIELD, (_match, open: string, value: string, close: string) => `${open}${pseudonym(value)}${close}`);
}
