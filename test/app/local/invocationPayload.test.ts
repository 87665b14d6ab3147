import type { _Record as KinesisRecord } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { batchLength, readLimit } from '../../../app/local/invocationPayload';

const records = (count: number, bytes: number): KinesisRecord[] =>
  Array.from({ length: count }, () => ({ Data: new Uint8Array(bytes) }) as KinesisRecord);

describe('batchLength', () => {
  it('takes the batch size when the records fit in an invocation', () => {
    expect(batchLength(records(1000, 1000), 500)).toBe(500);
    expect(batchLength(records(40, 1000), 500)).toBe(40);
  });

  it("cuts a batch of aggregated records at Lambda's 6 MB payload, counting their base64", () => {
    // 256 KiB of data is 349,528 bytes of base64: 17 such records fit in 6 MiB with their envelopes, 18 do not.
    expect(batchLength(records(500, 256 * 1024), 500)).toBe(17);
  });

  it('always takes one record, even one past the limit on its own', () => {
    expect(batchLength(records(3, 5 * 1024 * 1024), 500)).toBe(1);
  });
});

describe('readLimit', () => {
  it('asks for what the batch lacks while the records are small or their size unknown', () => {
    expect(readLimit(500, undefined)).toBe(500);
    expect(readLimit(320, 200)).toBe(320);
  });

  it("asks for one invocation's payload of records as large as the last read's largest", () => {
    expect(readLimit(500, 256 * 1024)).toBe(18);
    expect(readLimit(5, 256 * 1024)).toBe(5);
  });

  it('asks for one record at least, and never more than Kinesis allows a call', () => {
    expect(readLimit(0, undefined)).toBe(1);
    expect(readLimit(500, 8 * 1024 * 1024)).toBe(1);
    expect(readLimit(20_000, 10)).toBe(10_000);
  });
});
