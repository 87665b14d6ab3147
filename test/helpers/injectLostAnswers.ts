import type { KinesisClient } from '@aws-sdk/client-kinesis';

/**
 * A fault injector in front of a real Kinesis endpoint: the PutRecords requests `shouldLose`
 * picks reach the emulator and land, and then their answer is lost (a dropped connection, a
 * timeout): the producer sees a retryable server fault and, not knowing, puts the same records
 * again.
 */
export function injectLostAnswers(
  kinesis: KinesisClient,
  shouldLose: (requestIndex: number) => boolean,
): { readonly lost: () => number; remove(): void } {
  let requests = 0;
  let lost = 0;
  const name = 'pricestream-test-lost-answers';
  kinesis.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'PutRecordsCommand') return next(args);
      const result = await next(args);
      if (!shouldLose(requests++)) return result;
      lost += 1;
      throw Object.assign(new Error('socket hang up after the request was sent (injected)'), {
        name: 'TimeoutError',
        $fault: 'server',
      });
    },
    { step: 'initialize', name },
  );
  return { lost: () => lost, remove: () => kinesis.middlewareStack.remove(name) };
}
