// The real application, wired as in production, on its own copy of the migrated database.
import 'reflect-metadata';
import type { Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../src/app.factory';
import { Env, parseEnv } from '../src/config/env.schema';
import { createDatabase, dropDatabase, TEMPLATE_ENV, uniqueDbName } from './test-database';

export const TEST_SECRET = 'test-secret-0123456789-0123456789-abcdef';

export interface TestApp {
  app: NestExpressApplication;
  env: Env;
  db: DataSource;
  http: () => ReturnType<typeof request>;
  /** Base URL when started with `listen: true`. */
  url?: string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  listen?: boolean;
  imports?: Type[];
  /** A second replica: use this app's database instead of a new one (and leave dropping it to that app). */
  shareDatabaseWith?: TestApp;
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const template = process.env[TEMPLATE_ENV];
  if (!template) throw new Error('The test template database is missing: run through jest with the repo config.');
  const shared = options.shareDatabaseWith;
  const dbName = uniqueDbName('db');
  const url = shared ? shared.env.DATABASE_URL : await createDatabase(dbName, template);
  const env = parseEnv({
    NODE_ENV: 'test',
    DATABASE_URL: url,
    DATABASE_POOL_SIZE: '8',
    TOOLGATE_SECRET: TEST_SECRET,
    LOG_LEVEL: 'silent',
    BCRYPT_ROUNDS: '4',
    CALL_LOG_SPOOL_DIR: join(tmpdir(), `toolgate-spool-${dbName}`),
    ...options.env,
  });
  const app = await createApp(env, options.imports);
  let baseUrl: string | undefined;
  if (options.listen) {
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  } else {
    await app.init();
  }
  return {
    app,
    env,
    db: app.get(DataSource),
    http: () => request(app.getHttpServer()),
    url: baseUrl,
    async close() {
      await app.close();
      if (!shared) await dropDatabase(dbName);
    },
  };
}
