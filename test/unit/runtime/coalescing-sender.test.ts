import { describe, expect, it } from 'vitest';
import { CoalescingSender } from '../../../src/runtime/coalescing-sender.ts';

/** A send whose requests complete only when the test says so. */
function manualSend(): { requests: string[][]; complete: (error?: Error) => void; send: (items: readonly string[]) => Promise<void> } {
  const requests: string[][] = [];
  const pending: { resolve: () => void; reject: (error: Error) => void }[] = [];
  return {
    requests,
    complete: (error) => {
      const next = pending.shift();
      if (error === undefined) next?.resolve();
      else next?.reject(error);
    },
    send: (items) =>
      new Promise<void>((resolve, reject) => {
        requests.push([...items]);
        pending.push({ resolve, reject });
      }),
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('CoalescingSender', () => {
  it('joins the calls made while a request is in flight into the next request, in order', async () => {
    const manual = manualSend();
    const sender = new CoalescingSender<string>(manual.send, (item) => item.length, 1000);
    const done: string[] = [];
    const first = sender.publish(['a']).then(() => done.push('a'));
    const second = sender.publish(['b', 'c']).then(() => done.push('bc'));
    const third = sender.publish(['d']).then(() => done.push('d'));
    expect(manual.requests).toEqual([['a']]);
    expect(sender.waiting).toBe(2);
    manual.complete();
    await tick();
    expect(done).toEqual(['a']);
    expect(manual.requests).toEqual([['a'], ['b', 'c', 'd']]);
    manual.complete();
    await Promise.all([first, second, third]);
    expect(done).toEqual(['a', 'bc', 'd']);
  });

  it('keeps a request within maxWeight, except for one item that is heavier alone', async () => {
    const manual = manualSend();
    const sender = new CoalescingSender<string>(manual.send, (item) => item.length, 4);
    const all = Promise.all([sender.publish(['x']), sender.publish(['yy', 'yy']), sender.publish(['zzz']), sender.publish(['wwwwww']), sender.publish(['v'])]);
    for (let i = 0; i < 5; i += 1) {
      manual.complete();
      await tick();
    }
    await all;
    // 'x' went alone (nothing waited); 'yy','yy' fill the budget; 'zzz' + 'wwwwww' would exceed it.
    expect(manual.requests).toEqual([['x'], ['yy', 'yy'], ['zzz'], ['wwwwww'], ['v']]);
  });

  it('rejects every call of a failed request with its error and goes on with the next ones', async () => {
    const manual = manualSend();
    const sender = new CoalescingSender<string>(manual.send, () => 1, 100);
    const first = sender.publish(['a']);
    const second = sender.publish(['b']);
    const third = sender.publish(['c']);
    manual.complete();
    await first;
    manual.complete(new Error('broker gone'));
    await expect(second).rejects.toThrow('broker gone');
    await expect(third).rejects.toThrow('broker gone');
    const fourth = sender.publish(['d']);
    await tick();
    expect(manual.requests.at(-1)).toEqual(['d']);
    manual.complete();
    await fourth;
  });

  it('splits a call heavier than maxWeight over requests and resolves it after the last one', async () => {
    const manual = manualSend();
    const sender = new CoalescingSender<string>(manual.send, (item) => item.length, 4);
    const done: string[] = [];
    const first = sender.publish(['q']).then(() => done.push('q'));
    const heavy = sender.publish(['aa', 'bb', 'cc', 'dd', 'e']).then(() => done.push('heavy'));
    const after = sender.publish(['f']).then(() => done.push('f'));
    manual.complete();
    await tick();
    expect(manual.requests).toEqual([['q'], ['aa', 'bb']]);
    expect(sender.waiting).toBe(2);
    manual.complete();
    await tick();
    expect(done).toEqual(['q']);
    expect(manual.requests.at(-1)).toEqual(['cc', 'dd']);
    manual.complete();
    await tick();
    expect(manual.requests.at(-1)).toEqual(['e', 'f']);
    manual.complete();
    await Promise.all([first, heavy, after]);
    expect(done).toEqual(['q', 'heavy', 'f']);
    expect(manual.requests.flat()).toEqual(['q', 'aa', 'bb', 'cc', 'dd', 'e', 'f']);
  });

  it('drops the unsent rest of a split call whose request failed, and sends the next call', async () => {
    const manual = manualSend();
    const sender = new CoalescingSender<string>(manual.send, (item) => item.length, 2);
    const first = sender.publish(['q']);
    const heavy = sender.publish(['aa', 'bb', 'cc']);
    const after = sender.publish(['f']);
    manual.complete();
    await first;
    await tick();
    expect(manual.requests.at(-1)).toEqual(['aa']);
    manual.complete(new Error('too large'));
    await expect(heavy).rejects.toThrow('too large');
    await tick();
    expect(manual.requests.at(-1)).toEqual(['f']);
    manual.complete();
    await after;
    expect(manual.requests.flat()).toEqual(['q', 'aa', 'f']);
  });

  it('sends nothing for an empty list', async () => {
    const manual = manualSend();
    await new CoalescingSender<string>(manual.send, () => 1, 10).publish([]);
    expect(manual.requests).toEqual([]);
  });
});
