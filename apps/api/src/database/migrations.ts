// The migrations, in order. They live in /migrations at the repository root.
import { InitialSchema1763683200000 } from '../../../../migrations/1763683200000-InitialSchema';
import { CallLogs1763683300000 } from '../../../../migrations/1763683300000-CallLogs';
import { CrmSampleSchema1763683400000 } from '../../../../migrations/1763683400000-CrmSampleSchema';
import { UpstreamSources1763770000000 } from '../../../../migrations/1763770000000-UpstreamSources';
import { CallStats1763780000000 } from '../../../../migrations/1763780000000-CallStats';
import { CallLogRequestIdIndex1763790000000 } from '../../../../migrations/1763790000000-CallLogRequestIdIndex';
import { Quotas1763800000000 } from '../../../../migrations/1763800000000-Quotas';
import { CallLogFailureIndex1763810000000 } from '../../../../migrations/1763810000000-CallLogFailureIndex';
import { PlatformQuotas1763820000000 } from '../../../../migrations/1763820000000-PlatformQuotas';

export const MIGRATIONS = [
  InitialSchema1763683200000, CallLogs1763683300000, CrmSampleSchema1763683400000, UpstreamSources1763770000000, CallStats1763780000000,
  CallLogRequestIdIndex1763790000000, Quotas1763800000000, CallLogFailureIndex1763810000000,
  PlatformQuotas1763820000000,
];
