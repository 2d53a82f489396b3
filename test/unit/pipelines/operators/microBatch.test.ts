import { type SchedulerAction, type SchedulerLike, type Subscription } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { microBatch } from '../../../../pipelines/operators/microBatch.ts';

const newScheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

/** Delegates to `inner` and keeps every timer subscription it hands out. */
function spyScheduler(inner: SchedulerLike): { scheduler: SchedulerLike; timers: Subscription[] } {
  const timers: Subscription[] = [];
  const scheduler: SchedulerLike = {
    now: () => inner.now(),
    schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay?: number, state?: T): Subscription {
      const timer = inner.schedule(work, delay, state);
      timers.push(timer);
      return timer;
    },
  };
  return { scheduler, timers };
}

describe('microBatch', () => {
  it('emits as soon as the buffered size reaches maxSize', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable }) => {
      const source = cold('abc-de|');
      const result = source.pipe(microBatch<string>({ maxSize: 3, maxWaitMs: 100, scheduler: ts }));
      expectObservable(result).toBe('--x---(y|)', { x: ['a', 'b', 'c'], y: ['d', 'e'] });
    });
  });

  it('emits maxWaitMs after the first buffered value, not on a fixed interval from subscription', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable }) => {
      // a at 10, b at 70, c at 170, complete at 370. A fixed 100 ms interval would flush at 100/200/300.
      const source = cold('10ms a 59ms b 99ms c 199ms |');
      const result = source.pipe(microBatch<string>({ maxSize: 10, maxWaitMs: 100, scheduler: ts }));
      expectObservable(result).toBe('110ms x 159ms y 99ms |', { x: ['a', 'b'], y: ['c'] });
    });
  });

  it('does not restart the timer on every value (not a debounce)', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable }) => {
      // Values every 60 ms: a debounce would never fire before completion.
      const source = cold('a 59ms b 59ms c 59ms d |');
      const result = source.pipe(microBatch<string>({ maxSize: 10, maxWaitMs: 100, scheduler: ts }));
      expectObservable(result).toBe('100ms x 80ms (y|)', { x: ['a', 'b'], y: ['c', 'd'] });
    });
  });

  it('emits nothing (no empty arrays) while the stream is idle', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold('500ms |').pipe(microBatch<string>({ maxSize: 2, maxWaitMs: 50, scheduler: ts }))).toBe('500ms |');
      const once = cold('a 300ms |').pipe(microBatch<string>({ maxSize: 10, maxWaitMs: 100, scheduler: ts }));
      expectObservable(once).toBe('100ms x 200ms |', { x: ['a'] });
      expectObservable(cold('-').pipe(microBatch<string>({ maxSize: 1, maxWaitMs: 10, scheduler: ts })), '^ 1000ms !').toBe('-');
    });
  });

  it('flushes the remainder when the source completes', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable }) => {
      const result = cold('ab|').pipe(microBatch<string>({ maxSize: 10, maxWaitMs: 100, scheduler: ts }));
      expectObservable(result).toBe('--(x|)', { x: ['a', 'b'] });
    });
  });

  it('propagates a source error and unsubscribes from the source', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('ab#', undefined, new Error('boom'));
      const result = source.pipe(microBatch<string>({ maxSize: 10, maxWaitMs: 100, scheduler: ts }));
      expectObservable(result).toBe('--#', undefined, new Error('boom'));
      expectSubscriptions(source.subscriptions).toBe('^-!');
    });
  });

  it('weights values with sizeOf', () => {
    const ts = newScheduler();
    ts.run(({ cold, expectObservable }) => {
      const values = { a: 4, b: 5, c: 1, d: 3, e: 12 };
      const source = cold('abcde|', values);
      const result = source.pipe(microBatch<number>({ maxSize: 10, maxWaitMs: 100, sizeOf: (v) => v, scheduler: ts }));
      // 4+5+1 reaches 10 at c; d (3) then e (12) crosses the limit at e; a lone heavy value is never held back.
      expectObservable(result).toBe('--x-y|', { x: [4, 5, 1], y: [3, 12] });
    });
  });

  it('cancels the pending timer when the subscriber unsubscribes', () => {
    const ts = newScheduler();
    const { scheduler, timers } = spyScheduler(ts);
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a 200ms |');
      const result = source.pipe(microBatch<string>({ maxSize: 10, maxWaitMs: 100, scheduler }));
      expectObservable(result, '^ 50ms !').toBe('-');
      expectSubscriptions(source.subscriptions).toBe('^ 50ms !');
    });
    expect(timers).toHaveLength(1);
    expect(timers[0]?.closed).toBe(true);
  });

  it('cancels the timer after a size-triggered flush and starts a fresh one for the next value', () => {
    const ts = newScheduler();
    const { scheduler, timers } = spyScheduler(ts);
    ts.run(({ cold, expectObservable }) => {
      // Flushed by size at 10; the old timer (due at 100) must not flush c early; c waits its own 100 ms.
      const source = cold('a 9ms b 59ms c 200ms |');
      const result = source.pipe(microBatch<string>({ maxSize: 2, maxWaitMs: 100, scheduler }));
      expectObservable(result).toBe('10ms x 159ms y 100ms |', { x: ['a', 'b'], y: ['c'] });
    });
    expect(timers).toHaveLength(2);
  });
});
