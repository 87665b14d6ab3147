import { Command } from 'commander';
import { DeadLetterStore } from '../consumer/DeadLetterStore';
import { startStack } from '../stack';
import { requireRunningStack, stackConfigFrom, withStackFlags } from './stackFlags';

/** A dead letter as the table holds it (see `DeadLetterStore`). */
interface StoredDeadLetter {
  readonly shardId: string;
  readonly position: string;
  readonly kind: 'record' | 'batch';
  readonly partitionKey?: string;
  readonly step?: string;
  readonly field?: string;
  readonly reason: string;
  readonly data?: string;
  readonly records?: number;
  readonly firstSequenceNumber?: string;
  readonly lastSequenceNumber?: string;
}

/** Strict: a dead record whose bytes are not UTF-8 is not printed as a line. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * `pricestream dead-letters`: what the consumer set aside, and why: undecodable records with their
 * step, field and reason, and batches it gave up on. `--ndjson` prints the dead records that are
 * single lines of text, to fix and put again with `produce -`.
 */
export function deadLettersCommand(): Command {
  return withStackFlags(
    new Command('dead-letters')
      .description('list the records and batches the consumer set aside, with their reasons')
      .option('--shard <shardId>', 'only this shard')
      .option('--ndjson', 'print the dead records themselves, one per line, to fix and produce again'),
  ).action(async (rawFlags: Record<string, unknown>) => {
    const config = stackConfigFrom(rawFlags);
    requireRunningStack(config, ['dynamodbEndpoint'], 'dead-letters reads the tables of a running stack');
    const stack = await startStack(config, { resources: false });
    const out = (line: string) => process.stdout.write(`${line}\n`);
    try {
      const letters = (await new DeadLetterStore(stack.dynamo, stack.tables.deadLetters).list(
        rawFlags.shard as string | undefined,
      )) as unknown as StoredDeadLetter[];
      if (rawFlags.ndjson === true) {
        let skipped = 0;
        for (const letter of letters) {
          const line = letter.kind === 'record' ? textOf(letter.data) : undefined;
          if (line === undefined) skipped += letter.kind === 'record' ? 1 : 0;
          else out(line);
        }
        if (skipped > 0)
          process.stderr.write(
            `${skipped} dead record${skipped === 1 ? ' is' : 's are'} not a line of UTF-8 text (an aggregate, or bytes that are not UTF-8): see them without --ndjson\n`,
          );
        return;
      }
      out(`${letters.length} dead letter${letters.length === 1 ? '' : 's'} in ${stack.tables.deadLetters}`);
      for (const letter of letters) out(describe(letter));
    } finally {
      await stack.stop();
    }
  });
}

/** A dead record's bytes as one line of text, if they are UTF-8 without a line break. */
function textOf(data: string | undefined): string | undefined {
  if (data === undefined) return undefined;
  try {
    const text = utf8.decode(Buffer.from(data, 'base64'));
    return /[\r\n]/.test(text) ? undefined : text;
  } catch {
    return undefined;
  }
}

function describe(letter: StoredDeadLetter): string {
  if (letter.kind === 'batch')
    return (
      `  ${letter.shardId}  batch of ${letter.records} records, ${letter.firstSequenceNumber} to ` +
      `${letter.lastSequenceNumber}: ${letter.reason}`
    );
  const field = letter.field === undefined ? '' : `${letter.field}: `;
  return `  ${letter.shardId}  ${letter.position}  ${letter.partitionKey ?? ''}  ${letter.step}: ${field}${letter.reason}`;
}
