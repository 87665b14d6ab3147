import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** Starts kinesis-local (kinesis-mock) as a child process on a free port; resolves once it is healthy. */
export async function spawnKinesisLocal(): Promise<{ child: ChildProcess; port: number }> {
  const packageDir = path.dirname(require.resolve('kinesis-local/package.json'));
  const [port, tlsPort] = await Promise.all([freePort(), freePort()]);
  const child = spawn(process.execPath, [path.join(packageDir, 'main.js')], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      KINESIS_MOCK_PLAIN_PORT: String(port),
      KINESIS_MOCK_TLS_PORT: String(tlsPort),
      // kinesis-mock crashes at start without an absolute path to its certificate file.
      KINESIS_MOCK_CERT_PATH: path.join(packageDir, 'server.json'),
      CATS_EFFECT_CPU_STARVATION_CHECK_INITIAL_DELAY: 'Inf',
      CREATE_STREAM_DURATION: '0ms',
      DELETE_STREAM_DURATION: '0ms',
      SPLIT_SHARD_DURATION: '0ms',
      MERGE_SHARDS_DURATION: '0ms',
      UPDATE_SHARD_COUNT_DURATION: '0ms',
      SHARD_LIMIT: '1000',
      LOG_LEVEL: 'WARN',
    },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`kinesis-local exited with code ${code} before it was healthy: ${stderr.trim()}`);
  });
  exited.catch(() => {});
  await Promise.race([waitForHealth(`http://127.0.0.1:${port}/healthcheck`), exited]);
  return { child, port };
}

/** Polls the health endpoint: kinesis-mock offers no other readiness signal. Gives up after 30 s. */
async function waitForHealth(url: string): Promise<void> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error(`no answer from ${url} within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
  });
}
