#!/usr/bin/env node
// Readiness probe for the local Kafka broker, used by scripts/stack/stack.sh.
// Usage: node kafka-ready.cjs <host:port> <timeoutMs>
// Exits 0 once the broker answers Metadata (describeCluster + listTopics), 1 on timeout.
'use strict';
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
const path = require('path');

const [broker = '127.0.0.1:39092', timeoutArg = '60000'] = process.argv.slice(2);
const deadline = Date.now() + Number(timeoutArg);
const repoRoot = path.resolve(__dirname, '..', '..');
const { Kafka, logLevel } = require(require.resolve('kafkajs', { paths: [repoRoot, __dirname] }));

async function probeOnce() {
  const kafka = new Kafka({
    clientId: 'streamrec-stack-probe',
    brokers: [broker],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 3000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    await admin.listTopics();
    return cluster;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

(async () => {
  let lastErr;
  while (Date.now() < deadline) {
    try {
      const cluster = await probeOnce();
      console.log(`brokers=${cluster.brokers.length} controller=${cluster.controller} clusterId=${cluster.clusterId}`);
      process.exit(0);
    } catch (err) {
      lastErr = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  console.error(`kafka not ready at ${broker}: ${lastErr ? lastErr.message : 'timeout'}`);
  process.exit(1);
})();
