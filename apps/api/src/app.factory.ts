// Builds the HTTP application; main.ts and the tests both use it, so tests run the real wiring.
import { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { assignRequestId, bodyParsers } from './common/http/body-parsers';
import { Env } from './config/env.schema';
import { McpHttpHandler } from './mcp/transport/mcp-http.handler';

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
  // The MCP endpoint first: it reads its own bodies and answers in JSON-RPC, without the admin middleware.
  app.use('/mcp', app.get(McpHttpHandler).router());
  app.use(assignRequestId, ...bodyParsers(env.BODY_LIMIT));
  app.use(cookieParser());
  app.useGlobalFilters(new AllExceptionsFilter());
  app.enableShutdownHooks();

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
