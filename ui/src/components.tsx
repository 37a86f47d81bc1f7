/** Small pieces shared by the pages. */
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useStore } from './store';
import { absolute, relative, useUtc } from './time';

export { frameBatcher } from './batch';

let ticking: ReturnType<typeof setInterval> | null = null;
const tickers = new Set<() => void>();

/** Re-renders every few seconds, for relative times. */
export function useTick(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const update = () => setNow(Date.now());
    tickers.add(update);
    ticking ??= setInterval(() => tickers.forEach((fn) => fn()), 5000);
    return () => {
      tickers.delete(update);
      if (!tickers.size && ticking) {
        clearInterval(ticking);
        ticking = null;
      }
    };
  }, []);
  return now;
}

export function RelTime({ at }: { at: string | null | undefined }) {
  const now = useTick();
  const utc = useStore(useUtc);
  const title = useMemo(() => absolute(at, utc), [at, utc]);
  if (!at) return <span class="muted">—</span>;
  return (
    <time dateTime={at} title={title}>
      {relative(at, now)}
    </time>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge status-${status}`}>{status.replace('_', ' ')}</span>;
}

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div class="error-box" role="alert">
      {message}
    </div>
  );
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      class="small ghost"
      title={`Copy ${text}`}
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
        } catch {
          /* clipboard refused (insecure context): the value stays visible to select by hand */
        }
        setDone(true);
        setTimeout(() => setDone(false), 1200);
      }}
    >
      {done ? 'Copied' : label}
    </button>
  );
}

/** Collapsible JSON with copy. */
export function JsonView({ value, label }: { value: unknown; label: string }) {
  const text = value === undefined || value === null ? 'null' : JSON.stringify(value, null, 2);
  return (
    <details class="json" open={text.length < 2000}>
      <summary>
        {label} <CopyButton text={text} />
      </summary>
      <pre>{text}</pre>
    </details>
  );
}

export function Dialog({
  title,
  children,
  onClose,
}: {
  title: string;
  children: ComponentChildren;
  onClose: () => void;
}) {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => event.key === 'Escape' && onClose();
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [onClose]);
  // The first field takes the focus as the dialog opens (the `autofocus` attribute does nothing
  // in an element added after the page loaded), so a keyboard user types straight into it.
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => box.current?.querySelector<HTMLElement>('input, textarea, select, button')?.focus(), []);
  return (
    <div class="backdrop" onClick={(event) => event.target === event.currentTarget && onClose()}>
      <div class="dialog" role="dialog" aria-modal="true" aria-label={title} ref={box}>
        <h2>{title}</h2>
        {children}
      </div>
    </div>
  );
}

/** True while the tab is visible. */
export function usePageVisible(): boolean {
  const [visible, setVisible] = useState(document.visibilityState !== 'hidden');
  useEffect(() => {
    const update = () => setVisible(document.visibilityState !== 'hidden');
    document.addEventListener('visibilitychange', update);
    return () => document.removeEventListener('visibilitychange', update);
  }, []);
  return visible;
}

/** A page for a part of the contract this server does not offer yet (JOBS.md). */
export function NotOffered({ what }: { what: string }) {
  return (
    <p class="not-offered" role="status">
      This server does not offer {what} yet.
    </p>
  );
}
