// Runs graphql-http's server audits (the GraphQL over HTTP spec's reference audits) against
// the URL given as the first argument, with `Authorization: Bearer $FLOWDECK_AUDIT_KEY` on every
// request, and prints one JSON line per audit: {"id", "name", "status", "reason"}.
import { auditServer } from 'graphql-http';

const [url] = process.argv.slice(2);
const key = process.env.FLOWDECK_AUDIT_KEY;

function fetchWithKey(input, init = {}) {
  const headers = new Headers(init.headers);
  if (key) headers.set('authorization', `Bearer ${key}`);
  return fetch(input, { ...init, headers });
}

const results = await auditServer({ url, fetchFn: fetchWithKey });
for (const result of results) {
  console.log(JSON.stringify({
    id: result.id,
    name: result.name,
    status: result.status,
    reason: result.status === 'ok' ? null : result.reason,
  }));
}
