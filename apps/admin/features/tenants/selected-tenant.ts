// Which tenant the console is acting on. Read by the API client for the
// X-Tenant-Id header and by the header's tenant switcher.
import { createLocalStorageStore } from '@/features/storage/local-storage-store';

export const selectedTenant = createLocalStorageStore('toolgate.tenantId');
