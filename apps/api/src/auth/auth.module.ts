import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SecretKeysService } from '../common/crypto/secret-keys.service';
import { TenantsModule } from '../tenants/tenants.module';
import { UsersModule } from '../users/users.module';
import { AccessGuard } from './access.guard';
import { AdminSession } from './admin-session.entity';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JwtStrategy } from './jwt.strategy';
import { LocalStrategy } from './local.strategy';
import { LocalAuthGuard, LoginBodyGuard, LoginThrottleGuard } from './login.guards';

@Module({
  imports: [
    PassportModule,
    JwtModule.registerAsync({ inject: [SecretKeysService], useFactory: (keys: SecretKeysService) => ({ secret: keys.key('jwt') }) }),
    TypeOrmModule.forFeature([AdminSession]),
    UsersModule,
    TenantsModule,
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    LocalStrategy,
    JwtStrategy,
    LoginBodyGuard,
    LoginThrottleGuard,
    LocalAuthGuard,
    // Order matters: authenticate first, then check the route's access rule.
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  exports: [AuthService],
})
export class AuthModule {}
