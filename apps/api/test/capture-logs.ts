// For specs that must prove what the API writes (or never writes) to its logs.

/**
 * Captures every line the API logs (pino's JSON lines) instead of printing it; other output passes through.
 * pino writes to process.stdout when its `write` has been replaced (as here, and as Jest does), so this must run
 * before the app is created. Returns the function that restores stdout.
 */
export function captureLogs(lines: string[]): () => void {
  const original = process.stdout.write;
  process.stdout.write = function (chunk: unknown, ...rest: unknown[]) {
    const line = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
    if (!line.startsWith('{"level":')) return (original as (...a: unknown[]) => boolean).apply(process.stdout, [chunk, ...rest]);
    lines.push(line);
    (rest.find((r) => typeof r === 'function') as (() => void) | undefined)?.();
    return true;
  } as typeof process.stdout.write;
  return () => void (process.stdout.write = original);
}
