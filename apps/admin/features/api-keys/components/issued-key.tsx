'use client';

// A new key's secret, the one time it exists outside the agent: copy it now,
// with the client configurations already filled in.
import { McpClientConfigs } from '@/features/tool-groups/components/mcp-endpoint';
import { CopyButton } from '@/features/ui/copy-button';
import { TextField } from '@/features/ui/form-fields';
import { useT } from '@/i18n/locale-provider';

export function IssuedKey({ plaintext, serverCode }: { plaintext: string; serverCode?: string }) {
  const t = useT();
  return (
    <>
      <p className="notice notice-warning" role="status">
        {t('keys.shownOnce')}
      </p>
      <div className="secret-row">
        <TextField
          label={t('keys.secretLabel')}
          value={plaintext}
          readOnly
          className="secret-field"
          spellCheck={false}
          onFocus={(e) => e.currentTarget.select()}
          // It replaces the form in an already open dialog, so the dialog's own focusing has run.
          autoFocus
        />
        <CopyButton value={plaintext} label={t('keys.copySecret')} size="normal" />
      </div>
      {serverCode && (
        <div className="issued-connect">
          <h3 className="card-title">{t('groups.connectTitle')}</h3>
          <McpClientConfigs serverCode={serverCode} apiKey={plaintext} />
        </div>
      )}
    </>
  );
}
