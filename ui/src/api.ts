/**
 * The dashboard's only way to the server: POST /graphql (queries, mutations) and
 * WS /graphql (graphql-transport-ws subscriptions), with the signed-in key.
 */
import { type Client, createClient } from 'graphql-ws';
import type { TypedDocumentString } from './gql/graphql';
import { createStore } from './store';

const KEY_STORAGE = 'flowdeck.key';

/** The API key of this tab (sessionStorage: never a cookie). */
export const apiKey = createStore<string | null>(sessionStorage.getItem(KEY_STORAGE));

export function signIn(key: string): void {
  sessionStorage.setItem(KEY_STORAGE, key);
  apiKey.set(key);
}

export function signOut(message: string | null = null): void {
  sessionStorage.removeItem(KEY_STORAGE);
  signInMessage.set(message);
  apiKey.set(null);
  resetSocket();
}

/** Why the sign-in form is shown (the server's message for a bad or revoked key). */
export const signInMessage = createStore<string | null>(null);

/** A top-level GraphQL error (or a transport failure), with the server's code and position. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | null = null,
    readonly position: number | null = null,
  ) {
    super(message);
  }
}

interface RawError {
  message: string;
  extensions?: { code?: string; position?: number };
}

function toApiError(errors: RawError[]): ApiError {
  const first = errors[0];
  return new ApiError(first.message, first.extensions?.code ?? null, first.extensions?.position ?? null);
}

export type Doc<R, V> = TypedDocumentString<R, V> | { toString(): string; operationName?: string; __apiType?: (v: V) => R };

function operationName(doc: { toString(): string }): string | undefined {
  return 'operationName' in doc && typeof doc.operationName === 'string' ? doc.operationName : undefined;
}

/** Runs a query or mutation; throws ApiError. UNAUTHENTICATED signs out with the server's message. */
export async function request<R, V>(doc: Doc<R, V>, variables?: V): Promise<R> {
  const key = apiKey.get();
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({ query: doc.toString(), operationName: operationName(doc), variables: variables ?? {} }),
    });
  } catch (error) {
    throw new ApiError(`The server did not answer: ${(error as Error).message}`);
  }
  let body: { data?: R; errors?: RawError[] };
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`The server answered ${response.status} ${response.statusText}`);
  }
  if (body.errors?.length) {
    const error = toApiError(body.errors);
    if (error.code === 'UNAUTHENTICATED') signOut(error.message);
    throw error;
  }
  if (!body.data) throw new ApiError(`The server answered ${response.status} with no data`);
  return body.data;
}

/** Socket state for the live indicator. */
export type SocketState = 'connecting' | 'connected' | 'closed';
export const socketState = createStore<SocketState>('closed');

let client: Client | null = null;

function socket(): Client {
  if (client) return client;
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  client = createClient({
    url,
    lazy: true,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: async (retries) => {
      await new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** retries, 5000)));
    },
    connectionParams: () => ({ Authorization: `Bearer ${apiKey.get() ?? ''}` }),
    on: {
      connecting: () => socketState.set('connecting'),
      connected: () => socketState.set('connected'),
      closed: (event) => {
        socketState.set('closed');
        const code = (event as CloseEvent | undefined)?.code;
        if (code === 4403) signOut((event as CloseEvent).reason || 'The key was refused.');
      },
    },
  });
  return client;
}

function resetSocket(): void {
  client?.dispose();
  client = null;
  socketState.set('closed');
}

/** Subscribes; returns the function that ends the subscription. */
export function subscribe<R, V>(
  doc: Doc<R, V>,
  variables: V,
  onData: (data: R) => void,
  onError: (error: ApiError) => void = () => undefined,
): () => void {
  return socket().subscribe<R>(
    { query: doc.toString(), operationName: operationName(doc), variables: variables as Record<string, unknown> },
    {
      next: (result) => {
        if (result.errors?.length) onError(toApiError(result.errors as RawError[]));
        else if (result.data) onData(result.data as R);
      },
      error: (error) => {
        if (Array.isArray(error)) onError(toApiError(error as RawError[]));
        else if (error instanceof Error) onError(new ApiError(error.message));
      },
      complete: () => undefined,
    },
  );
}

/** Downloads a file the API names (an export), sending the key as a header, as a Blob. */
export async function download(url: string): Promise<Blob> {
  const key = apiKey.get();
  const response = await fetch(url, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  if (!response.ok) throw new ApiError(`Download failed: ${response.status} ${await response.text()}`);
  return response.blob();
}

/** Saves a Blob as a file through a temporary link. */
export function saveBlob(blob: Blob, name: string): void {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}
