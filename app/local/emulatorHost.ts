/**
 * Runs one emulator in its own process group, so the emulator's CPU does not compete with the
 * pipeline's event loop and a Ctrl-C meant for the pipeline does not kill the emulator before the
 * pipeline has flushed. Started by `startEmulator` over IPC: it sends `{ port }` once the emulator
 * listens on loopback, and stops the emulator and exits when its parent disconnects.
 */
import type { Server } from 'node:http';
import dynalite from 'dynalite';
import kinesalite from 'kinesalite';
import { spawnKinesisLocal } from './kinesisLocal';

const kind = process.argv[2];

function listen(server: Server): void {
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('emulator has no TCP address');
    process.send?.({ port: address.port });
  });
}

process.on('disconnect', () => process.exit(0));
process.on('SIGINT', () => {}); // only the parent decides when this emulator stops
// An orderly exit, so that Node writes what its flags ask for at exit (a --cpu-prof profile).
process.on('SIGTERM', () => process.exit(0));

if (kind === 'kinesalite') {
  listen(kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 1000 }));
} else if (kind === 'dynalite') {
  listen(dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }));
} else if (kind === 'kinesis-local') {
  const { child, port } = await spawnKinesisLocal();
  const stopChild = () => child.kill('SIGTERM');
  process.on('exit', stopChild);
  process.send?.({ port });
} else {
  throw new Error(`unknown emulator ${kind}`);
}
