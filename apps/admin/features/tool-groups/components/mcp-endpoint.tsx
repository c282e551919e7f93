'use client';

// A group's MCP endpoint, and ready-to-paste configurations for the agents
// README "Connect an agent" documents: Dify, Claude Desktop (via mcp-remote),
// Cursor, and a curl line that lists the tools.
import { CodeBlock } from '@/features/ui/code-block';
import { CopyButton } from '@/features/ui/copy-button';
import { Tabs } from '@/features/ui/tabs';
import { useT } from '@/i18n/locale-provider';

// The URL an MCP client is configured with. It uses the console's own origin
// because the console forwards /mcp to the API (app/mcp, proxy-to-api.ts).
export function mcpEndpointUrl(serverCode: string): string {
  return `${window.location.origin}/mcp/${encodeURIComponent(serverCode)}`;
}

export function McpEndpoint({ serverCode, groupName }: { serverCode: string; groupName: string }) {
  const t = useT();
  const url = mcpEndpointUrl(serverCode);
  return (
    <div className="endpoint">
      <code className="endpoint-url">{url}</code>
      <CopyButton value={url} label={t('groups.copyLabel', { name: groupName })} />
    </div>
  );
}

/** Shown in place of a key the console does not have (it sees each key's secret once). */
export const KEY_PLACEHOLDER = 'tg_…';
// The MCP revision the gateway speaks statelessly; see docs/mcp-protocol-notes.md.
const PROTOCOL_VERSION = '2026-07-28';

export interface ClientConfigs {
  claudeDesktop: string;
  cursor: string;
  curl: string;
  dify: { url: string; header: string };
}

/** The configurations, as text. `apiKey` fills them in when the key was just created. */
export function clientConfigs(url: string, serverCode: string, apiKey = KEY_PLACEHOLDER): ClientConfigs {
  const serverName = `toolgate-${serverCode}`;
  const claudeDesktop = {
    mcpServers: {
      [serverName]: {
        command: 'npx',
        // The key goes through env so it is not visible in the process list.
        args: ['mcp-remote', url, '--header', 'Authorization: Bearer ${TOOLGATE_KEY}'],
        env: { TOOLGATE_KEY: apiKey },
      },
    },
  };
  const cursor = { mcpServers: { [serverName]: { url, headers: { Authorization: `Bearer ${apiKey}` } } } };
  const meta = { 'io.modelcontextprotocol/protocolVersion': PROTOCOL_VERSION, 'io.modelcontextprotocol/clientCapabilities': {} };
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: meta } });
  const curl = [
    `curl -s ${url} -H 'Authorization: Bearer ${apiKey}' \\`,
    `  -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \\`,
    `  -H 'MCP-Protocol-Version: ${PROTOCOL_VERSION}' -H 'Mcp-Method: tools/list' \\`,
    `  -d '${body}'`,
  ].join('\n');
  return {
    claudeDesktop: JSON.stringify(claudeDesktop, null, 2),
    cursor: JSON.stringify(cursor, null, 2),
    curl,
    dify: { url, header: `Authorization: Bearer ${apiKey}` },
  };
}

interface McpClientConfigsProps {
  serverCode: string;
  /** The plaintext key, right after it was created; a placeholder otherwise. */
  apiKey?: string;
}

export function McpClientConfigs({ serverCode, apiKey }: McpClientConfigsProps) {
  const t = useT();
  const url = mcpEndpointUrl(serverCode);
  const configs = clientConfigs(url, serverCode, apiKey);

  return (
    <Tabs
      label={t('groups.connectTabs')}
      tabs={[
        {
          id: 'dify',
          label: 'Dify',
          content: (
            <>
              <p className="muted">{t('groups.difySteps')}</p>
              <dl className="kv">
                <dt>{t('groups.difyUrl')}</dt>
                <dd className="endpoint">
                  <code className="endpoint-url">{configs.dify.url}</code>
                  <CopyButton value={configs.dify.url} label={t('groups.copyWhat', { what: t('groups.difyUrl') })} />
                </dd>
                <dt>{t('groups.difyHeader')}</dt>
                <dd className="endpoint">
                  <code className="endpoint-url">{configs.dify.header}</code>
                  <CopyButton value={configs.dify.header} label={t('groups.copyWhat', { what: t('groups.difyHeader') })} />
                </dd>
              </dl>
              <p className="field-hint">{t('groups.difyDocker')}</p>
            </>
          ),
        },
        {
          id: 'claude',
          label: 'Claude Desktop',
          content: (
            <>
              <p className="muted">{t('groups.claudeSteps')}</p>
              <CodeBlock code={configs.claudeDesktop} copyLabel={t('groups.copyWhat', { what: 'Claude Desktop' })} />
            </>
          ),
        },
        {
          id: 'cursor',
          label: 'Cursor',
          content: (
            <>
              <p className="muted">{t('groups.cursorSteps')}</p>
              <CodeBlock code={configs.cursor} copyLabel={t('groups.copyWhat', { what: 'Cursor' })} />
            </>
          ),
        },
        {
          id: 'curl',
          label: 'curl',
          content: (
            <>
              <p className="muted">{t('groups.curlSteps')}</p>
              <CodeBlock code={configs.curl} copyLabel={t('groups.copyWhat', { what: 'curl' })} />
            </>
          ),
        },
      ]}
    />
  );
}
