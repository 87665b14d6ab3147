import { readFile } from 'node:fs/promises';

/** The parts of a V8 CPU profile (`--cpu-prof`) read here. */
interface CpuProfile {
  readonly nodes: readonly { id: number; callFrame: { functionName: string; url: string } }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Where a sample's own time is counted: a package's file, Node's internals, or GC. */
function placeOf(frame: { functionName: string; url: string }): string {
  if (frame.url === '') return frame.functionName; // (garbage collector), (program), (idle), natives
  if (frame.url.startsWith('node:')) return 'Node internals';
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+\/.*)$/.exec(frame.url);
  return inPackage?.[1] ?? frame.url.replace(/^file:\/\//, '');
}

/**
 * A process's busy time from its CPU profile, and the share of it spent in each place (the
 * `top` largest): self time by source file, so a file's share is the work done in its own code.
 */
export async function busyTimeByFile(
  file: string,
  top = 12,
): Promise<{ busySeconds: number; seconds: number; places: { place: string; share: number }[] }> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const places = new Map(profile.nodes.map((node) => [node.id, placeOf(node.callFrame)]));
  const byPlace = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const micros = profile.timeDeltas[index] ?? 0;
    total += micros;
    const place = places.get(id) ?? '(unknown)';
    byPlace.set(place, (byPlace.get(place) ?? 0) + micros);
  });
  const busy = total - (byPlace.get('(idle)') ?? 0);
  byPlace.delete('(idle)');
  return {
    busySeconds: busy / 1e6,
    seconds: total / 1e6,
    places: [...byPlace]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([place, micros]) => ({ place, share: micros / busy })),
  };
}
