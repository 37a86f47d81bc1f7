/** Who is signed in: the key's principal from `me`, and the key handed between tabs. */
import { ApiError, apiKey, request, signIn, signInMessage } from './api';
import type { MeQuery as MeResult } from './gql/graphql';
import { MeQuery } from './ops';
import { createStore } from './store';

export type Principal = MeResult['me'];
export const principal = createStore<Principal | null>(null);

const ROLES = ['VIEWER', 'OPERATOR', 'ADMIN', 'SUPERADMIN'];
export function atLeast(role: string): boolean {
  const me = principal.get();
  return !!me && ROLES.indexOf(me.role) >= ROLES.indexOf(role);
}

/** `#key=<secret>` signs in at once, and the fragment leaves the address bar. */
export function takeKeyFromFragment(): void {
  const match = /^#key=(.+)$/.exec(location.hash);
  if (!match) return;
  history.replaceState(null, '', location.pathname + location.search);
  signIn(decodeURIComponent(match[1]));
}

/** Checks the key with `me`; a refused key brings the form back with the server's message. */
export async function loadPrincipal(): Promise<void> {
  principal.set(null);
  if (!apiKey.get()) return;
  try {
    const data = await request(MeQuery);
    signInMessage.set(null);
    principal.set(data.me);
  } catch (error) {
    // request() already signed out on UNAUTHENTICATED; anything else is shown on the form too
    if (!(error instanceof ApiError) || error.code !== 'UNAUTHENTICATED') {
      signInMessage.set((error as Error).message);
    }
  }
}

// A tab opened from a link starts with empty sessionStorage: it asks the open tabs of this
// origin for the key, and a signed-in tab answers.
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('flowdeck-key') : null;
channel?.addEventListener('message', (event: MessageEvent<{ type: string; key?: string }>) => {
  if (event.data.type === 'ask' && apiKey.get()) channel.postMessage({ type: 'key', key: apiKey.get() });
  else if (event.data.type === 'key' && event.data.key && !apiKey.get()) signIn(event.data.key);
});

export function askOtherTabsForKey(): void {
  if (!apiKey.get()) channel?.postMessage({ type: 'ask' });
}
