import { describe, expect, it } from 'vitest';
import { javaStringHash, offsetsPartition } from '../../helpers/kafka-cluster.ts';

describe('offsetsPartition (which broker the scale-out test kills as the group coordinator)', () => {
  it("places a group as Kafka does: abs of Java's String.hashCode, modulo the partitions", () => {
    expect(javaStringHash('hello')).toBe(99162322);
    expect(offsetsPartition('hello', 50)).toBe(22);
    // Negative hashes take their absolute value, not the low 31 bits: a real 3-broker cluster's
    // FindCoordinator put this group on partition 5 of 8 (the low-bits formula said 3).
    expect(javaStringHash('t_scalebc_abc')).toBeLessThan(0);
    expect(offsetsPartition('t_scalebc_abc', 8)).toBe(5);
    // Integer.MIN_VALUE has no absolute value in 32 bits; Kafka's Utils.abs makes it 0.
    expect(javaStringHash('polygenelubricants')).toBe(-2147483648);
    expect(offsetsPartition('polygenelubricants', 50)).toBe(0);
  });
});
