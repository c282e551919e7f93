// Structured JSON logs with a request id on every line; credentials never reach a log.
import type { Params } from 'nestjs-pino';
import type { Env } from '../../config/env.schema';
import { genRequestId } from '../http/request-id';

export const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'req.body.password',
  '*.password',
  '*.plaintext',
  '*.token',
  '*.apiKey',
];

export function loggerOptions(env: Env): Params {
  return {
    pinoHttp: {
      level: env.LOG_LEVEL,
      // assignRequestId ran first; reuse its id so logs and error bodies agree.
      genReqId: (req) => (req as { id?: string }).id ?? genRequestId(req),
      redact: { paths: REDACTED_LOG_PATHS, censor: '[REDACTED]' },
      // Query strings may carry credentials a client put there by mistake; log the path only.
      serializers: {
        req: (req: { id: string; method: string; url: string; remoteAddress?: string }) => ({
          id: req.id,
          method: req.method,
          path: String(req.url).split('?')[0],
          remoteAddress: req.remoteAddress,
        }),
      },
      customProps: (req) => ({ requestId: (req as { id?: string }).id }),
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
      ...(env.LOG_PRETTY ? { transport: { target: 'pino-pretty', options: { singleLine: true } } } : {}),
    },
  };
}
