import 'reflect-metadata';
import { createApp } from './app.factory';
import { EnvError, parseEnv } from './config/env.schema';
import { installGracefulShutdown } from './graceful-shutdown';

async function main(): Promise<void> {
  const env = parseEnv(process.env);
  const app = await createApp(env);
  installGracefulShutdown(app, env.SHUTDOWN_GRACE_MS);
  await app.listen(env.PORT, env.HOST);
}

main().catch((err: unknown) => {
  // Before the logger exists a plain line is all we have; a bad variable is named in the message.
  process.stderr.write(`${err instanceof EnvError ? err.message : String((err as Error)?.stack ?? err)}\n`);
  process.exit(1);
});
