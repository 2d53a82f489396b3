import { describe, expect, it } from 'vitest';
import { parseClusterNodes } from '../../../../src/adapters/redis/connect.ts';

describe('parseClusterNodes', () => {
  it('reads host:port lists, IPv6 in brackets included, and an empty setting as no cluster', () => {
    expect(parseClusterNodes('')).toEqual([]);
    expect(parseClusterNodes(' ')).toEqual([]);
    expect(parseClusterNodes('10.0.0.1:7000, redis-b:7001')).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-b', port: 7001 },
    ]);
    expect(parseClusterNodes('[::1]:7002')).toEqual([{ host: '::1', port: 7002 }]);
  });

  it('names the entry that is not host:port', () => {
    expect(() => parseClusterNodes('a:7000,b')).toThrow('redis.clusterNodes entry "b" is not host:port');
    expect(() => parseClusterNodes('a:0')).toThrow('redis.clusterNodes entry "a:0" is not host:port');
    expect(() => parseClusterNodes('a:70000')).toThrow('is not host:port');
  });
});
