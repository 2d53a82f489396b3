import { describe, expect, it } from 'vitest';
import { pseudonymizer, redactUserIds } from '../../../src/domain/pseudonym.ts';

describe('pseudonymizer', () => {
  it('maps a user id to the same 128-bit keyed hash every time, and to another one under another key', () => {
    const p = pseudonymizer('key-1');
    expect(p('alice')).toBe(p('alice'));
    expect(p('alice')).toMatch(/^p_[A-Za-z0-9_-]{22}$/);
    expect(p('alice')).not.toBe(p('bob'));
    expect(pseudonymizer('key-2')('alice')).not.toBe(p('alice'));
  });
});

describe('redactUserIds', () => {
  const p = (id: string): string => `P(${id})`;

  it('replaces every user_id value in JSON text, broken or not, and nothing else', () => {
    expect(redactUserIds('{"user_id":"alice","session_id":"s1"}', p)).toBe('{"user_id":"P(alice)","session_id":"s1"}');
    expect(redactUserIds('[{"user_id" : "a"},{"user_id":"b"', p)).toBe('[{"user_id" : "P(a)"},{"user_id":"P(b)"');
    expect(redactUserIds('{"user_id":"a\\"b"}', p)).toBe('{"user_id":"P(a\\"b)"}');
    expect(redactUserIds('{"session_id":"alice"}', p)).toBe('{"session_id":"alice"}');
  });
});
