import type {
  KinesisClient,
  PutRecordsCommandInput,
  PutRecordsCommandOutput,
  PutRecordsRequestEntry,
} from '@aws-sdk/client-kinesis';

/**
 * A fault injector in front of a real Kinesis endpoint: for each PutRecords request, the entries
 * `shouldThrottle` picks are not sent at all, and come back as ProvisionedThroughputExceeded
 * failures in their places, exactly as a throttled shard answers. Everything else reaches the emulator.
 */
export function injectThrottle(
  kinesis: KinesisClient,
  shouldThrottle: (entry: PutRecordsRequestEntry, entryIndex: number, requestIndex: number) => boolean,
): { readonly throttled: () => number; remove(): void } {
  let requests = 0;
  let throttled = 0;
  const name = 'pricestream-test-throttle';
  kinesis.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'PutRecordsCommand') return next(args);
      const input = args.input as PutRecordsCommandInput;
      const request = requests++;
      const all = input.Records ?? [];
      const dropped = all.map((entry, index) => shouldThrottle(entry, index, request));
      const sent = all.filter((_, index) => !dropped[index]);
      const failure = {
        ErrorCode: 'ProvisionedThroughputExceededException',
        ErrorMessage: 'Rate exceeded for shard (injected)',
      };
      if (sent.length === 0) {
        throttled += all.length;
        return {
          output: { FailedRecordCount: all.length, Records: all.map(() => failure), $metadata: {} },
          response: {},
        };
      }
      const result = await next({ ...args, input: { ...input, Records: sent } });
      const output = result.output as PutRecordsCommandOutput;
      const answers = [...(output.Records ?? [])];
      const merged = dropped.map((drop) => (drop ? failure : answers.shift()));
      throttled += dropped.filter(Boolean).length;
      return {
        ...result,
        output: {
          ...output,
          FailedRecordCount: (output.FailedRecordCount ?? 0) + dropped.filter(Boolean).length,
          Records: merged,
        },
      };
    },
    { step: 'initialize', name },
  );
  return { throttled: () => throttled, remove: () => kinesis.middlewareStack.remove(name) };
}
