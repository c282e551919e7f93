// Derives the purpose-bound keys from TOOLGATE_SECRET, so one secret configures the server
// while a leak of one derived key exposes nothing else.
import { Injectable } from '@nestjs/common';
import { hkdfSync } from 'node:crypto';
import { AppConfigService } from '../../config/app-config.service';

export type KeyPurpose = 'api-key-hmac' | 'jwt' | 'config-encryption';

@Injectable()
export class SecretKeysService {
  private readonly cache = new Map<KeyPurpose, Buffer>();

  constructor(private readonly config: AppConfigService) {}

  key(purpose: KeyPurpose): Buffer {
    let key = this.cache.get(purpose);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', this.config.env.TOOLGATE_SECRET, 'toolgate', `toolgate:${purpose}:v1`, 32));
      this.cache.set(purpose, key);
    }
    return key;
  }
}
