import { Module } from '@nestjs/common';
import { CrmDemoData } from './crm-demo-data';
import { CrmTools } from './crm.tools';

@Module({ providers: [CrmTools, CrmDemoData], exports: [CrmDemoData] })
export class CrmModule {}
