'use client';

// A block of text to paste somewhere else (a config file, a shell), with a copy button.
import { CopyButton } from './copy-button';

export function CodeBlock({ code, copyLabel }: { code: string; copyLabel: string }) {
  return (
    <div className="code-block-wrap">
      <pre className="code-block">
        <code>{code}</code>
      </pre>
      <CopyButton value={code} label={copyLabel} className="code-block-copy" />
    </div>
  );
}
