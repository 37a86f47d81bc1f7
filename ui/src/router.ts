import { createStore, useStore } from './store';

/** The address the app shows: browser history routing, everything served index.html. */
export interface Location {
  path: string;
  query: URLSearchParams;
}

function current(): Location {
  return { path: location.pathname, query: new URLSearchParams(location.search) };
}

export const route = createStore<Location>(current());

addEventListener('popstate', () => route.set(current()));

/** Goes to `url` (path and query); `replace` keeps the history entry (state edits). */
export function navigate(url: string, replace = false): void {
  if (url === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  route.set(current());
  if (!replace) scrollTo(0, 0);
}

export function useRoute(): Location {
  return useStore(route);
}

/** Click handler for links inside the app: a plain click navigates without reloading. */
export function onLinkClick(event: MouseEvent): void {
  const anchor = (event.target as Element).closest('a');
  if (!anchor || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  // an SVG link (the DAG's child runs) has no HTMLAnchorElement URL parts: read its href
  const url = new URL(anchor.getAttribute('href') ?? '', location.href);
  if (anchor.getAttribute('target') || anchor.hasAttribute('download') || url.origin !== location.origin) return;
  if (url.pathname.startsWith('/graphql') || url.pathname.startsWith('/exports')) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
}
