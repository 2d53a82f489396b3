import { Kafka, logLevel, type KafkaConfig as KafkaJsConfig, type SASLOptions } from 'kafkajs';
import type { KafkaConfig } from '../../config/config.ts';
import type { Logger } from '../../ports/logger.ts';
import { installFailover } from './failover.ts';

function sasl(config: KafkaConfig): SASLOptions | undefined {
  if (config.saslMechanism === 'none') return undefined;
  return { mechanism: config.saslMechanism, username: config.saslUsername, password: config.saslPassword };
}

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * A kafkajs client whose log lines go to our logger (secrets are never part of them), its consumers
 * patched to ride out a dead broker (see failover.ts).
 */
export function createKafka(config: KafkaConfig, logger: Logger, clientSuffix = ''): Kafka {
  if (!installFailover()) logger.warn({ component: 'kafkajs' }, 'kafkajs internals differ from 2.2: consumers stop on a dead broker until it is replaced or fenced (see src/adapters/kafka/failover.ts)');
  const saslOptions = sasl(config);
  const options: KafkaJsConfig = {
    clientId: `${config.clientId}${clientSuffix}`,
    brokers: [...config.brokers],
    ssl: config.ssl,
    connectionTimeout: 5000,
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5000 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => {
      const level = LEVELS[entry.level] ?? 'info';
      const { message, ...rest } = entry.log;
      logger[level]({ component: 'kafkajs', namespace: entry.namespace, ...rest }, String(message));
    },
  };
  return new Kafka(saslOptions === undefined ? options : { ...options, sasl: saslOptions });
}
