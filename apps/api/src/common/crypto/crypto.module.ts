import { Global, Module } from '@nestjs/common';
import { EncryptionService } from './encryption.service';
import { SecretKeysService } from './secret-keys.service';

@Global()
@Module({ providers: [SecretKeysService, EncryptionService], exports: [SecretKeysService, EncryptionService] })
export class CryptoModule {}
