import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../app/config/ConfigError';
import { loadStackConfig } from '../../../app/config/stackConfig';

describe('loadStackConfig', () => {
  it('defaults to the embedded stack with kinesalite and the local Redis', () => {
    expect(loadStackConfig({})).toMatchObject({
      target: 'embedded',
      kinesisEmulator: 'kinesalite',
      redisUrl: 'redis://127.0.0.1:6379',
      shardCount: 2,
    });
  });

  it('takes the environment, and flags over the environment', () => {
    const config = loadStackConfig(
      { PRICESTREAM_SHARDS: '4', REDIS_URL: 'redis://cache:6380' },
      { shardCount: '8' },
    );
    expect(config.shardCount).toBe(8);
    expect(config.redisUrl).toBe('redis://cache:6380');
  });

  it('fails fast naming the field, its env var and its flag', () => {
    expect(() => loadStackConfig({ PRICESTREAM_SHARDS: 'many' })).toThrow(ConfigError);
    expect(() => loadStackConfig({ PRICESTREAM_SHARDS: 'many' })).toThrow(
      /shardCount \(PRICESTREAM_SHARDS \/ --shards\)/,
    );
    expect(() => loadStackConfig({}, { kinesisEmulator: 'localstack' })).toThrow(
      /kinesisEmulator.*--kinesis-emulator/,
    );
  });
});
