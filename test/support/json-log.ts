import { Logger } from '@nestjs/common';
import { JsonLogger } from '@app/platform/logging/json-logger';

/** The JSON lines the process's logger (Nest's, as the apps install it) writes to stdout while `work` runs. */
export async function capturingLogs(work: () => Promise<void>): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  Logger.overrideLogger(new JsonLogger(['log', 'warn', 'error']));
  try {
    await work();
  } finally {
    write.mockRestore();
    Logger.overrideLogger(false);
  }
  return lines.flatMap((chunk) => chunk.split('\n').filter((l) => l !== '')).map((l) => JSON.parse(l));
}
