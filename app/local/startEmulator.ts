import { fork } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The emulators pricestream can start: two for Kinesis, one for DynamoDB. */
export type EmulatorKind = 'kinesalite' | 'kinesis-local' | 'dynalite';

/** A running emulator on loopback. `stop` ends its process and waits for it. */
export interface RunningEmulator {
  readonly kind: EmulatorKind;
  readonly endpoint: string;
  stop(): Promise<void>;
}

const hostModule = path.join(path.dirname(fileURLToPath(import.meta.url)), 'emulatorHost.ts');

/**
 * Starts an emulator in a child process on a free loopback port and resolves once it answers.
 * `nodeOptions` are added to its Node flags (a benchmark profiles the emulators with `--cpu-prof`).
 */
export async function startEmulator(
  kind: EmulatorKind,
  nodeOptions: readonly string[] = [],
): Promise<RunningEmulator> {
  const child = fork(hostModule, [kind], {
    execArgv: ['--import', 'tsx', ...nodeOptions],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    detached: true,
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) =>
      reject(new Error(`${kind} exited with code ${code} before listening: ${stderr.trim()}`)),
    );
  });
  return {
    kind,
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
