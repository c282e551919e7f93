// The migrations, in order. They live in /migrations at the repository root.
import { InitialSchema1763683200000 } from '../../../../migrations/1763683200000-InitialSchema';
import { CallLogs1763683300000 } from '../../../../migrations/1763683300000-CallLogs';
import { CrmSampleSchema1763683400000 } from '../../../../migrations/1763683400000-CrmSampleSchema';

export const MIGRATIONS = [InitialSchema1763683200000, CallLogs1763683300000, CrmSampleSchema1763683400000];
