import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.ts';
import { Experiment } from '../../../src/domain/experiment.ts';
import { RecError } from '../../../src/errors.ts';

const experimentOf = (env: Record<string, string>): Experiment => {
  const config = loadConfig(env);
  return Experiment.fromConfig(config.experiment, config.engine.variant);
};

describe('Experiment', () => {
  it('is one arm, engine.variant with the full ranker, when no variants are configured', () => {
    const experiment = experimentOf({ STREAMREC_ENGINE_VARIANT: 'control' });
    expect(experiment.assign({ sessionId: 's', userId: null })).toEqual({ name: 'control', ranker: 'full', weight: 1 });
  });

  it('assigns stickily, in proportion to the weights', () => {
    const experiment = experimentOf({ STREAMREC_EXPERIMENT_VARIANTS: 'a:full:80,b:covisit:20' });
    const counts = { a: 0, b: 0 } as Record<string, number>;
    for (let i = 0; i < 10_000; i += 1) {
      const arm = experiment.assign({ sessionId: `s${i}`, userId: null });
      expect(experiment.assign({ sessionId: `s${i}`, userId: null })).toBe(arm);
      counts[arm.name] = (counts[arm.name] ?? 0) + 1;
    }
    expect(counts['a']).toBeGreaterThan(7700);
    expect(counts['a']).toBeLessThan(8300);
  });

  it('follows the user across sessions when assigning by user, the session otherwise', () => {
    const byUser = experimentOf({ STREAMREC_EXPERIMENT_VARIANTS: 'a:full:50,b:covisit:50', STREAMREC_EXPERIMENT_ASSIGN_BY: 'user' });
    const arms = new Set(Array.from({ length: 50 }, (_, i) => byUser.assign({ sessionId: `s${i}`, userId: 'u-1' }).name));
    expect(arms.size).toBe(1);
    expect(byUser.assign({ sessionId: null, userId: 'u-1' }).name).toBe([...arms][0]);
    const bySession = experimentOf({ STREAMREC_EXPERIMENT_VARIANTS: 'a:full:50,b:covisit:50' });
    expect(new Set(Array.from({ length: 50 }, (_, i) => bySession.assign({ sessionId: `s${i}`, userId: 'u-1' }).name)).size).toBe(2);
  });

  it('reshuffles with another salt and rejects bad arms', () => {
    const one = experimentOf({ STREAMREC_EXPERIMENT_VARIANTS: 'a:full:50,b:covisit:50' });
    const other = experimentOf({ STREAMREC_EXPERIMENT_VARIANTS: 'a:full:50,b:covisit:50', STREAMREC_EXPERIMENT_SALT: 'x' });
    const moved = Array.from({ length: 200 }, (_, i) => one.assign({ sessionId: `s${i}`, userId: null }).name !== other.assign({ sessionId: `s${i}`, userId: null }).name);
    expect(moved.filter(Boolean).length).toBeGreaterThan(50);
    expect(() => experimentOf({ STREAMREC_EXPERIMENT_VARIANTS: 'a:full:0,b:covisit:0' })).toThrow(RecError);
    expect(() => experimentOf({ STREAMREC_EXPERIMENT_VARIANTS: 'a:full:1,a:covisit:1' })).toThrow(/unique/);
    expect(() => loadConfig({ STREAMREC_EXPERIMENT_VARIANTS: 'a:magic:1' })).toThrow(RecError);
  });
});
