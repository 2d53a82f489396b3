import { connect } from 'node:net';

/** Kafka protocol error codes this exchange handles. */
const NONE = 0;
const COORDINATOR_LOAD_IN_PROGRESS = 14;
const COORDINATOR_NOT_AVAILABLE = 15;
const NOT_COORDINATOR = 16;
const UNKNOWN_MEMBER_ID = 25;
const RETRY_CODES = new Set([COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR]);

const FIND_COORDINATOR = 10;
const LEAVE_GROUP = 13;
const RETRY_MS = 250;
/** FindCoordinator key type of a consumer group. */
const GROUP_KEY_TYPE = 0;
/** Non-flexible versions (header v1, plain strings) every broker since 0.11 answers. */
const API_VERSION = 1;

/** `failed`: the coordinator refused for another reason than moving or loading (e.g. an ACL). */
export type RemoveOutcome = 'removed' | 'already-gone' | 'failed' | 'timed-out';

/**
 * Asks the group's coordinator to drop `memberId`, as that member's own LeaveGroup would. A consumer
 * stuck on a dead coordinator cannot leave by itself; until its session expires at the new coordinator,
 * every rebalance of the group waits for it, so every partition stays unconsumed. kafkajs has no call for
 * this, so it is two plain requests (FindCoordinator v1, LeaveGroup v1) over a plaintext connection,
 * retried while the coordinator moves or loads. Callers use it only without TLS and SASL.
 */
export async function removeMember(brokers: readonly string[], groupId: string, memberId: string, timeoutMs: number, clientId: string): Promise<RemoveOutcome> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; Date.now() < deadline; attempt += 1) {
    const broker = brokers[attempt % brokers.length];
    if (broker === undefined) break;
    let code: number;
    try {
      code = await leaveOnce(broker, groupId, memberId, clientId, deadline);
    } catch {
      code = COORDINATOR_NOT_AVAILABLE; // A dead broker, or a coordinator that went away: try the next one.
    }
    if (code === NONE) return 'removed';
    if (code === UNKNOWN_MEMBER_ID) return 'already-gone';
    if (!RETRY_CODES.has(code)) return 'failed';
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
  return 'timed-out';
}

/** FindCoordinator through `broker`, then LeaveGroup at the coordinator: the first error code met, or NONE. */
async function leaveOnce(broker: string, groupId: string, memberId: string, clientId: string, deadline: number): Promise<number> {
  const [host, port] = hostPort(broker);
  // v1 response: throttle_time_ms, error_code, error_message (nullable string), node_id, host, port.
  const found = await request(host, port, FIND_COORDINATOR, Buffer.concat([str(groupId), Buffer.from([GROUP_KEY_TYPE])]), clientId, deadline);
  const code = found.readInt16BE(4);
  if (code !== NONE) return code;
  const messageLength = found.readInt16BE(6);
  let at = 8 + Math.max(0, messageLength) + 4;
  const hostLength = found.readInt16BE(at);
  const coordinatorHost = found.toString('utf8', at + 2, at + 2 + hostLength);
  at += 2 + hostLength;
  const coordinatorPort = found.readInt32BE(at);
  // v1 response: throttle_time_ms, error_code.
  const left = await request(coordinatorHost, coordinatorPort, LEAVE_GROUP, Buffer.concat([str(groupId), str(memberId)]), clientId, deadline);
  return left.readInt16BE(4);
}

function hostPort(address: string): [string, number] {
  const colon = address.lastIndexOf(':');
  return [address.slice(0, colon), Number(address.slice(colon + 1))];
}

/** A protocol string: int16 length, UTF-8 bytes. */
function str(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const out = Buffer.alloc(2 + bytes.length);
  out.writeInt16BE(bytes.length, 0);
  bytes.copy(out, 2);
  return out;
}

/** One request (header v1) on a fresh connection; resolves with the response body after the correlation id. */
function request(host: string, port: number, apiKey: number, body: Buffer, clientId: string, deadline: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const header = Buffer.alloc(8);
    header.writeInt16BE(apiKey, 0);
    header.writeInt16BE(API_VERSION, 2);
    header.writeInt32BE(1, 4);
    const message = Buffer.concat([header, str(clientId), body]);
    const size = Buffer.alloc(4);
    size.writeInt32BE(message.length, 0);
    const socket = connect(port, host);
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(new Error('request timed out')), Math.max(1, Math.min(deadline - Date.now(), 5000)));
    socket.on('connect', () => socket.write(Buffer.concat([size, message])));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 4 && received.length >= 4 + received.readInt32BE(0)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(received.subarray(8, 4 + received.readInt32BE(0)));
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      reject(new Error('connection closed before a response'));
    });
  });
}
