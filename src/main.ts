import { createLogger } from './adapters/log/pino.ts';
import { loadConfig } from './config/load.ts';
import { startEngine } from './engine.ts';
import { describeError } from './errors.ts';

/** `npm start`: runs the engine until SIGTERM/SIGINT; exits 0 after a clean drain, 1 on failure. */
async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    process.stderr.write(`streamrec: ${describeError(error)}\n`);
    return 2;
  }
  const logger = createLogger(config.log);
  const engine = await startEngine(config, logger);
  const onSignal = (signal: string): void => {
    logger.info({ signal }, 'stopping: draining in-flight work');
    void engine.stop();
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
  const outcome = await engine.done;
  if (outcome !== null) {
    logger.error({ err: describeError(outcome) }, 'engine stopped after an error');
    return 1;
  }
  logger.info({}, 'engine stopped cleanly');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`streamrec: ${describeError(error)}\n`);
    process.exit(1);
  },
);
