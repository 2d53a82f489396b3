import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.ts';
import type { BehaviourEvent } from '../../../src/domain/event.ts';
import { multitask } from '../../../src/eval/multitask.ts';

/** Shoppers view phone k, then buy its case; many phones, so popularity alone cannot guess the case. */
function stream(): BehaviourEvent[] {
  const events: BehaviourEvent[] = [];
  let ts = Date.UTC(2024, 0, 1);
  for (let s = 0; s < 2000; s += 1) {
    const k = (s * 7) % 60;
    ts += 3_600_000;
    events.push({ event_id: `v${s}`, type: 'view', ts, session_id: `s${s}`, item_id: `phone${k}` });
    events.push({ event_id: `p${s}`, type: 'purchase', ts: ts + 60_000, session_id: `s${s}`, item_id: `case${k}` });
  }
  return events;
}

describe('multitask', () => {
  it('measures both heads prequentially and finds the bought item far more often than popularity', () => {
    const report = multitask(stream(), loadConfig({ STREAMREC_CANDIDATES_EXCLUDE_CURRENT_ITEM: 'false' }));
    expect(report.purchaseHr20.purchases).toBe(2000);
    expect(report.purchase.events).toBe(2000);
    expect(report.click.events).toBe(2000);
    expect(report.purchaseHr20.engine).toBeGreaterThan(90);
    expect(report.purchaseHr20.popularity).toBeLessThan(40);
    expect(report.purchase.auc).toBeGreaterThan(0.9);
    expect(report.purchase.logLoss).toBeGreaterThan(0);
  });
});
