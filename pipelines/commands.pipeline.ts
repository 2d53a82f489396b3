import { concatMap, from, map, pipe, type OperatorFunction } from 'rxjs';
import type { Command, IngestedCommand } from '../src/domain/command.ts';
import { decodeCommand, type DecodeOptions } from '../src/domain/decode.ts';
import type { DeadLetter } from '../src/domain/event.ts';
import type { AnalyticsRows } from '../src/ports/analytics-sink.ts';
import type { SourceBatch } from '../src/ports/event-source.ts';
import { acknowledge } from './operators/acknowledge.ts';

export interface CommandBatch {
  readonly source: SourceBatch;
  readonly commands: readonly IngestedCommand[];
  readonly deadLetters: readonly DeadLetter[];
}

export interface CommandsPipelineDeps {
  readonly decode: DecodeOptions;
  /** Carries out one command (already retrying); resolves when done. */
  readonly execute: (command: Command) => Promise<void>;
  /** Dead-letter write (already retrying); resolves when stored. */
  readonly appendAnalytics: (rows: AnalyticsRows) => Promise<void>;
}

/**
 * The commands stream: decode → carry out each command in order → dead letters → acknowledge. A
 * batch's offset is committed only after every command in it was carried out and its bad records stored.
 */
export function commandsPipeline(deps: CommandsPipelineDeps): OperatorFunction<SourceBatch, CommandBatch> {
  return pipe(
    map((source): CommandBatch => {
      const commands: IngestedCommand[] = [];
      const deadLetters: DeadLetter[] = [];
      for (const record of source.records) {
        const origin = { topic: source.topic, partition: source.partition, offset: record.offset };
        const result = decodeCommand({ origin, key: record.key, value: record.value, receivedAt: source.receivedAt }, deps.decode);
        if (result.ok) commands.push({ command: result.value, origin, receivedAt: source.receivedAt });
        else deadLetters.push(result.deadLetter);
      }
      return { source, commands, deadLetters };
    }),
    concatMap((batch) =>
      from(
        (async () => {
          for (const { command } of batch.commands) await deps.execute(command);
          await deps.appendAnalytics({ events: [], recommendations: [], deadLetters: batch.deadLetters });
          return batch;
        })(),
      ),
    ),
    acknowledge<CommandBatch>(),
  );
}
