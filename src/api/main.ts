import { fileURLToPath } from 'node:url';
import { createLogger } from '../adapters/log/pino.ts';
import { createKafka } from '../adapters/kafka/client.ts';
import { KafkaPublisher } from '../adapters/kafka/producer.ts';
import { ScrapedOps } from '../adapters/metrics/scrape-ops.ts';
import { RedisFeedReader } from '../adapters/redis/feed-reader.ts';
import { loadConfig } from '../config/load.ts';
import { checkEvent } from '../domain/event-validator.ts';
import { describeError } from '../errors.ts';
import { loadCatalog } from '../replay/catalog.ts';
import { buildApi } from './server.ts';

const DEFAULT_DEMO_DATA = fileURLToPath(new URL('../../../shared/data/diginetica/', import.meta.url));

/** `npm run api`: the Feed API until SIGTERM/SIGINT. Composition root of the API process. */
async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    process.stderr.write(`streamrec api: ${describeError(error)}\n`);
    return 2;
  }
  const logger = createLogger(config.log, 'streamrec-api');
  if (config.api.keys.length === 0 && config.api.publicKey === '') logger.warn({}, 'no API keys configured (api.keys, api.publicKey): every /v1 request will be refused');
  const feeds = new RedisFeedReader({ url: config.redis.url, clusterNodes: config.redis.clusterNodes, keyPrefix: config.redis.keyPrefix, timeoutMs: config.api.readTimeoutMs });
  const publisher = new KafkaPublisher(createKafka(config.kafka, logger, '-api'), config.kafka.metadataMaxAgeMs);
  const dataDir = config.api.demoDataDir === '' ? DEFAULT_DEMO_DATA : config.api.demoDataDir;
  const catalog = await loadCatalog(dataDir);
  logger.info({ dataDir, categories: catalog.categories.length }, 'storefront demo catalog loaded');
  const app = await buildApi({
    catalog,
    logger,
    config: config.api,
    eventsTopic: config.kafka.eventsTopic,
    commandsTopic: config.kafka.commandsTopic,
    feeds,
    publisher,
    checkEvent,
    ...(config.api.metricsUrl === '' ? {} : { ops: new ScrapedOps(config.api.metricsUrl) }),
  });
  // The first beacon should not wait for the producer's connection; a broker that is down now is not fatal.
  await publisher.connect().catch((error: unknown) => logger.warn({ err: describeError(error) }, 'Kafka producer not connected yet; will retry on the first event'));
  const address = await app.listen({ port: config.api.port, host: config.api.host });
  logger.info({ url: address, docs: `${address}/docs/json` }, 'Feed API listening');
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  await app.close();
  await Promise.allSettled([feeds.close(), publisher.close()]);
  logger.info({}, 'Feed API stopped');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`streamrec api: ${describeError(error)}\n`);
    process.exit(1);
  },
);
