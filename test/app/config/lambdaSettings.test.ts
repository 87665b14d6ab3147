import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../app/config/ConfigError';
import { cacheUrlOf, lambdaSettings } from '../../../app/config/lambdaSettings';
import { withoutPassword } from '../../../app/stack';

const secrets = new Map([['arn:aws:secretsmanager:eu-west-1:1:secret:token', 'a/b+c=']]);
const readSecret = async (arn: string) => secrets.get(arn) ?? '';

describe('lambdaSettings', () => {
  it('reaches ElastiCache over TLS with the AUTH token from Secrets Manager, escaped', async () => {
    const settings = lambdaSettings({
      REDIS_HOST: 'master.prices.cache.amazonaws.com',
      REDIS_AUTH_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:token',
    });
    expect(await cacheUrlOf(settings, readSecret)).toBe(
      'rediss://:a%2Fb%2Bc%3D@master.prices.cache.amazonaws.com:6380',
    );
  });

  it('takes REDIS_URL as given, and runs without a cache when no Redis is set', async () => {
    expect(await cacheUrlOf(lambdaSettings({ REDIS_URL: 'redis://10.0.0.5:6379' }), readSecret)).toBe(
      'redis://10.0.0.5:6379',
    );
    expect(await cacheUrlOf(lambdaSettings({}), readSecret)).toBeUndefined();
  });

  it('fails the cold start naming the bad variable', () => {
    expect(() => lambdaSettings({ PARALLELIZATION_FACTOR: '0' })).toThrow(ConfigError);
    expect(() => lambdaSettings({ PARALLELIZATION_FACTOR: '0' })).toThrow(/^PARALLELIZATION_FACTOR: /);
    expect(() => lambdaSettings({ REDIS_URL: 'http://x' })).toThrow(/^REDIS_URL: /);
    expect(() => lambdaSettings({ WARM_SKUS: '-1' })).toThrow(/^WARM_SKUS: /);
  });

  it('never prints a Redis password in a message', () => {
    expect(withoutPassword('rediss://:s3cret@host:6380')).toBe('rediss://:***@host:6380');
    expect(withoutPassword('redis://user:s3cret@host:6379/0')).toBe('redis://user:***@host:6379/0');
    expect(withoutPassword('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});
