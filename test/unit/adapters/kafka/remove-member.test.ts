import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { removeMember } from '../../../../src/adapters/kafka/remove-member.ts';

interface Seen {
  readonly apiKey: number;
  readonly version: number;
  readonly strings: string[];
}

/**
 * A stand-in coordinator on a local port that answers FindCoordinator v1 (pointing at itself) and
 * LeaveGroup v1 with the error codes queued, and records what it was asked. The real broker is in
 * test/integration/adapters/remove-member.test.ts; this one plays the failover answers.
 */
async function coordinator(findCodes: number[], leaveCodes: number[]): Promise<{ server: Server; port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((socket: Socket) => {
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 4 && buffer.length >= 4 + buffer.readInt32BE(0)) {
        const size = buffer.readInt32BE(0);
        const message = buffer.subarray(4, 4 + size);
        buffer = buffer.subarray(4 + size);
        const apiKey = message.readInt16BE(0);
        const version = message.readInt16BE(2);
        const correlation = message.readInt32BE(4);
        const strings: string[] = [];
        let at = 8;
        while (at + 2 <= message.length) {
          const length = message.readInt16BE(at);
          if (length < 0 || at + 2 + length > message.length) break;
          strings.push(message.toString('utf8', at + 2, at + 2 + length));
          at += 2 + length;
        }
        seen.push({ apiKey, version, strings });
        let body: Buffer;
        if (apiKey === 10) {
          const code = findCodes.shift() ?? 0;
          const host = Buffer.from('127.0.0.1');
          body = Buffer.alloc(4 + 2 + 2 + 4 + 2 + host.length + 4);
          body.writeInt16BE(code, 4);
          body.writeInt16BE(-1, 6);
          body.writeInt32BE(1, 8);
          body.writeInt16BE(host.length, 12);
          host.copy(body, 14);
          body.writeInt32BE(port, 14 + host.length);
        } else {
          body = Buffer.alloc(6);
          body.writeInt16BE(leaveCodes.shift() ?? 0, 4);
        }
        const head = Buffer.alloc(8);
        head.writeInt32BE(4 + body.length, 0);
        head.writeInt32BE(correlation, 4);
        socket.write(Buffer.concat([head, body]));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { server, port, seen };
}

describe('removeMember', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  });

  it('asks for the group coordinator, then makes it drop the member, waiting while the coordinator moves and loads', async () => {
    const { server, port, seen } = await coordinator([15], [14, 0]);
    servers.push(server);
    expect(await removeMember([`127.0.0.1:${port}`], 'shop-group', 'member-7', 5_000, 'streamrec-remove')).toBe('removed');
    expect(seen.map((s) => [s.apiKey, s.version])).toEqual([
      [10, 1],
      [10, 1],
      [13, 1],
      [10, 1],
      [13, 1],
    ]);
    // Header client id, then the group id (FindCoordinator), or the group and member ids (LeaveGroup).
    expect(seen[0]?.strings.slice(0, 2)).toEqual(['streamrec-remove', 'shop-group']);
    expect(seen[2]?.strings).toEqual(['streamrec-remove', 'shop-group', 'member-7']);
  });

  it('says a member the coordinator does not know is already gone, and stops at a refusal it cannot wait out', async () => {
    const gone = await coordinator([], [25]);
    servers.push(gone.server);
    expect(await removeMember([`127.0.0.1:${gone.port}`], 'g', 'm', 5_000, 'c')).toBe('already-gone');
    const refused = await coordinator([], [30]);
    servers.push(refused.server);
    expect(await removeMember([`127.0.0.1:${refused.port}`], 'g', 'm', 5_000, 'c')).toBe('failed');
    expect(refused.seen).toHaveLength(2);
  });
});
