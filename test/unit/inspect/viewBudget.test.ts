import { describe, expect, it } from 'vitest';
import { LIVE_PROBE_MS, VIEW_SHARE, ViewBudget } from '../../../electron/engine/viewBudget';

/** A clock the test moves by hand. */
function fakeClock() {
  const clock = { now: 1000, read: () => clock.now };
  return clock;
}

describe('ViewBudget', () => {
  it('lets a view refresh at most every LIVE_PROBE_MS', () => {
    const clock = fakeClock();
    const b = new ViewBudget(clock.read);
    expect(b.due('boundary')).toBe(true);
    b.run('boundary', () => undefined); // free: no time passes
    clock.now += LIVE_PROBE_MS - 1;
    expect(b.due('boundary')).toBe(false);
    expect(b.due('units')).toBe(true); // each view has its own pace
    clock.now += 1;
    expect(b.due('boundary')).toBe(true);
  });

  it('holds paced views back while they have cost more than VIEW_SHARE of the run', () => {
    const clock = fakeClock();
    const b = new ViewBudget(clock.read);
    const cost = 40;
    b.run('boundary', () => {
      clock.now += cost;
    });
    expect(b.run('units', () => 'value')).toBe('value');
    // 40 ms spent: the next paced refresh waits until the run is 40 / VIEW_SHARE ms old.
    clock.now = 1000 + cost / VIEW_SHARE - 1;
    expect(b.due('boundary')).toBe(false);
    expect(b.share()).toBeGreaterThan(VIEW_SHARE);
    clock.now += 1;
    expect(b.due('boundary')).toBe(true);
    expect(b.share()).toBeCloseTo(VIEW_SHARE, 6);
  });

  it('counts a refresh that throws', () => {
    const clock = fakeClock();
    const b = new ViewBudget(clock.read);
    expect(() =>
      b.run('sample', () => {
        clock.now += 20;
        throw new Error('boom');
      }),
    ).toThrow('boom');
    clock.now += LIVE_PROBE_MS;
    expect(b.due('sample')).toBe(false); // 20 ms of 270 is above the share
  });
});
