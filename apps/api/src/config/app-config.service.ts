import { Injectable } from '@nestjs/common';
import { Env } from './env.schema';

/** Typed, read-only access to the parsed environment. */
@Injectable()
export class AppConfigService {
  constructor(readonly env: Env) {}

  get isProduction(): boolean {
    return this.env.NODE_ENV === 'production';
  }

  get cookieSecure(): boolean {
    return this.env.COOKIE_SECURE ?? this.isProduction;
  }

  get publicUrl(): string {
    return this.env.PUBLIC_URL ?? `http://localhost:${this.env.PORT}`;
  }
}
