/**
 * What the Node benches share: running main and leaving when it is done (Dawn for Node keeps the
 * event loop alive), and the machine facts every bench's JSON carries.
 */
import os from 'node:os';

export function runMain(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}

export function machineInfo(): { platform: string; cpus: number; cpuModel: string; loadavg: number[] } {
  const cpus = os.cpus();
  return { platform: `${os.platform()} ${os.arch()}`, cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', loadavg: os.loadavg().map((x) => Number(x.toFixed(2))) };
}
