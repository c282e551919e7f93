import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { BuiltinCatalogService } from './builtin-catalog.service';
import { BuiltinToolRegistry } from './builtin-tool-registry';
import { CrmModule } from './crm/crm.module';
import { DiagnosticsTools } from './diagnostics/diagnostics.tools';

/** The code-defined tools: the registry finds every @McpTool provider in the app, the catalog mirrors them per tenant. */
@Module({
  imports: [DiscoveryModule, CrmModule],
  providers: [BuiltinToolRegistry, BuiltinCatalogService, DiagnosticsTools],
  exports: [BuiltinToolRegistry, BuiltinCatalogService],
})
export class BuiltinToolsModule {}
