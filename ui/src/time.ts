/** Relative times ("3 min ago") with the absolute time on hover, local or UTC by a switch. */
import { createStore } from './store';

export const useUtc = createStore<boolean>(localStorage.getItem('flowdeck.utc') === '1');
useUtc.subscribe((utc) => localStorage.setItem('flowdeck.utc', utc ? '1' : '0'));

export function relative(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '—';
  const seconds = Math.round((now - new Date(iso).getTime()) / 1000);
  const future = seconds < 0;
  const value = Math.abs(seconds);
  let text: string;
  if (value < 5) return 'just now';
  if (value < 60) text = `${value} s`;
  else if (value < 3600) text = `${Math.floor(value / 60)} min`;
  else if (value < 86400) text = `${Math.floor(value / 3600)} h`;
  else text = `${Math.floor(value / 86400)} d`;
  return future ? `in ${text}` : `${text} ago`;
}

// One formatter for every local time: `toLocaleString` builds a new one per call, which made
// re-rendering a page of relative times a long task (bench/ui.py --trace).
let localFormat: Intl.DateTimeFormat | null = null;

export function absolute(iso: string | null | undefined, utc: boolean = useUtc.get()): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (utc) return `${date.toISOString().replace('T', ' ').slice(0, 19)} UTC`;
  localFormat ??= new Intl.DateTimeFormat(undefined, {
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    hour12: false,
  });
  return localFormat.format(date);
}

export function duration(seconds: number | null | undefined): string {
  if (seconds == null) return '—';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}
