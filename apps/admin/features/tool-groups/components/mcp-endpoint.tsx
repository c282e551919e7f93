'use client';

import { useEffect, useState } from 'react';
import { useT } from '@/i18n/locale-provider';

const COPIED_FEEDBACK_MS = 1500;

// The URL an MCP client is configured with. It uses the console's own origin
// because the console forwards /mcp to the API (app/mcp, proxy-to-api.ts).
export function mcpEndpointUrl(serverCode: string): string {
  return `${window.location.origin}/mcp/${encodeURIComponent(serverCode)}`;
}

export function McpEndpoint({ serverCode, groupName }: { serverCode: string; groupName: string }) {
  const t = useT();
  const [copied, setCopied] = useState(false);
  const url = mcpEndpointUrl(serverCode);
  // The Clipboard API exists only in secure contexts (https or localhost).
  const canCopy = typeof navigator !== 'undefined' && navigator.clipboard !== undefined;

  useEffect(() => {
    if (!copied) return;
    const timer = window.setTimeout(() => setCopied(false), COPIED_FEEDBACK_MS);
    return () => window.clearTimeout(timer);
  }, [copied]);

  return (
    <div className="endpoint">
      <code className="endpoint-url">{url}</code>
      {canCopy && (
        <button
          type="button"
          className="button button-small button-secondary"
          aria-label={t('groups.copyLabel', { name: groupName })}
          onClick={() => navigator.clipboard.writeText(url).then(() => setCopied(true), () => undefined)}
        >
          <span aria-live="polite">{copied ? t('groups.copied') : t('groups.copy')}</span>
        </button>
      )}
    </div>
  );
}
