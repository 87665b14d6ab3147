import type { Command } from 'commander';
import { z } from 'zod';

/** Where an HTTP command listens, validated (see `withListenFlags`). */
export const listenFlagsShape = {
  port: z.coerce.number().int().min(0).max(65_535),
  host: z.string().min(1).default('127.0.0.1'),
};

/** Adds `--port` (default `port`) and `--host` (default loopback) to an HTTP command. */
export function withListenFlags(command: Command, port: number): Command {
  return command
    .option('--port <port>', 'port to listen on (0: any free one)', String(port))
    .option('--host <host>', 'address to listen on', '127.0.0.1');
}
