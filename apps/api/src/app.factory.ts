// Builds the HTTP application; main.ts and the tests both use it, so tests run the real wiring.
import { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import type { Express } from 'express';
import type { Server } from 'node:http';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { assignRequestId, bodyParsers } from './common/http/body-parsers';
import type { TrustProxy } from './common/http/client-ip';
import { Env } from './config/env.schema';
import { McpHttpHandler } from './mcp/transport/mcp-http.handler';
import { MetricsEndpoint } from './metrics/metrics-endpoint';

export async function createApp(env: Env, extraImports: Type[] = []): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(env, extraImports), {
    bufferLogs: true,
    // Our own parsers below, so the size limit is ours and not Nest's default.
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  // No ETags: hashing every JSON answer costs the MCP hot path ~6% (bench/README.md) and no client uses them.
  app.disable('etag');
  app.set('trust proxy', env.TRUST_PROXY.split(',').map((v) => v.trim()));
  app.use(assignRequestId, ...bodyParsers(env.BODY_LIMIT));
  app.use(cookieParser());
  app.useGlobalFilters(new AllExceptionsFilter());
  // No enableShutdownHooks: main.ts installs the graceful shutdown (graceful-shutdown.ts), which orders the steps.
  keepConnectionsAlive(app, env.HTTP_KEEP_ALIVE_SECONDS);
  serveMcpFirst(app);

  const docs = new DocumentBuilder()
    .setTitle('Toolgate admin API')
    .setDescription('Tenants, tool groups, API keys, tools, sources, call logs and audit events. Send X-Tenant-Id to pick the tenant.')
    .setVersion('1')
    .addCookieAuth('tg_session')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, docs), { jsonDocumentUrl: 'api/docs/openapi.json' });
  return app;
}

/**
 * Idle keep-alive connections stay open longer than node's 5 s: a client or proxy that reuses one the server is just
 * closing sees its request reset (ECONNRESET; a 502 from nginx for a POST). The side that closes an idle connection
 * should be the one that would send on it next, so the server waits longer than its clients and proxies do.
 */
function keepConnectionsAlive(app: NestExpressApplication, seconds: number): void {
  const server = app.getHttpServer() as Server;
  server.keepAliveTimeout = seconds * 1000;
  // Must exceed keepAliveTimeout, or a connection reused just before it ends can be cut while its headers arrive.
  server.headersTimeout = seconds * 1000 + 1000;
}

/**
 * The MCP endpoint answers from the HTTP server's own `request` listener, before Express: it reads its own
 * bodies and answers in JSON-RPC, so Express's router, the admin middleware and nestjs-pino's per-request
 * logger and async context (bench/README.md, "Where the time goes") would only cost it time. Everything
 * else goes on to Express as before.
 */
function serveMcpFirst(app: NestExpressApplication): void {
  const server = app.getHttpServer() as Server;
  const express = app.getHttpAdapter().getInstance() as Express;
  const listeners = server.listeners('request');
  if (listeners.length !== 1) throw new Error(`Expected the HTTP server to have one request listener (Express), found ${listeners.length}`);
  server.removeAllListeners('request');
  // /metrics (when METRICS_TOKEN is set) is answered before Express too: outside the admin API's session auth.
  const fallback = app.get(MetricsEndpoint).before(express);
  server.on('request', app.get(McpHttpHandler).listener({ fallback, trustProxy: express.get('trust proxy fn') as TrustProxy }));
}
