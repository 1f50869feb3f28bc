// A browser app on another origin than faultline's, with Apollo Client 4:
// HttpLink, PersistedQueryLink (SHA-256 from the Web Crypto API; hashed
// queries over GET), BatchHttpLink, GraphQLWsLink for subscriptions, and an
// ErrorLink that branches on extensions.code. build.mjs bundles it with
// esbuild; docs/clients.md quotes it; browser.test.mjs drives it in Chromium
// through window.app.
import { ApolloClient, ApolloLink, CombinedGraphQLErrors, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { BatchHttpLink } from "@apollo/client/link/batch-http";
import { SetContextLink } from "@apollo/client/link/context";
import { ErrorLink } from "@apollo/client/link/error";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { getMainDefinition } from "@apollo/client/utilities";
import { generatePersistedQueryIdsFromManifest } from "@apollo/persisted-query-lists";
import { createClient as createWsClient } from "graphql-ws";
import { from, switchMap } from "rxjs";

// The app's operations; generate-persisted-query-manifest reads them from here.
export const PRODUCTS = gql`
  query Products($first: Int!) {
    products(first: $first) { edges { node { id name priceCents } } }
  }
`;
export const PRODUCT = gql`
  query Product($id: ID!) {
    product(id: $id) { id name priceCents }
  }
`;
export const ME = gql`
  query Me {
    me { id email }
  }
`;
export const ORDER = gql`
  query Order($id: ID!) {
    order(id: $id) { id status items { quantity product { id name } } }
  }
`;
export const WALLET = gql`
  subscription Wallet {
    walletUpdated { balanceCents currency }
  }
`;
export const REGISTER = gql`
  mutation Register($input: RegisterInput!) {
    register(input: $input) { accessToken }
  }
`;

// wire records every request the links send and what the app can read of
// its answer: X-Request-ID and Retry-After are readable from another origin
// only because faultline names them in Access-Control-Expose-Headers.
export const wire = [];

export async function recordingFetch(input, init = {}) {
  const sent = { method: init.method ?? "GET", url: String(input), body: typeof init.body === "string" ? init.body : null };
  wire.push(sent);
  try {
    const res = await fetch(input, init);
    Object.assign(sent, {
      status: res.status,
      requestId: res.headers.get("X-Request-ID"),
      retryAfter: res.headers.get("Retry-After"),
      wwwAuthenticate: res.headers.get("WWW-Authenticate"),
    });
    return res;
  } catch (e) {
    sent.networkError = String(e); // a CORS refusal looks like this: no status, no headers
    throw e;
  }
}

// sha256 hashes a document for PersistedQueryLink with the browser's own
// Web Crypto API (available on https and on loopback origins).
export async function sha256(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

// Session holds the signed-in user's tokens; concurrent refreshes share one
// request, since a refresh token is spent by its first use (see
// e2e/apollo/client.mjs for the full flow).
export class Session {
  constructor({ uri, accessToken, refreshToken }) {
    Object.assign(this, { uri, accessToken, refreshToken, refreshes: 0, refreshing: null });
  }

  refresh() {
    this.refreshing ??= this.#refresh().finally(() => { this.refreshing = null; });
    return this.refreshing;
  }

  async #refresh() {
    this.refreshes++;
    const res = await recordingFetch(this.uri, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
      body: JSON.stringify({
        query: "mutation Refresh($token: String!) { refreshToken(token: $token) { accessToken refreshToken } }",
        variables: { token: this.refreshToken },
      }),
    });
    const { data, errors } = await res.json();
    if (!data?.refreshToken) {
      this.accessToken = this.refreshToken = null; // sign in again
      throw new Error(`session ended: ${errors?.[0]?.extensions?.type}`);
    }
    ({ accessToken: this.accessToken, refreshToken: this.refreshToken } = data.refreshToken);
  }
}

// notices is what the error link decided, per error, for the UI.
export const notices = [];

// errorLink branches on extensions.code, the category: UNAUTHENTICATED with
// TOKEN_EXPIRED refreshes once and retries; the throttles and the drain say
// when to come back (extensions.retryAfter); INTERNAL_SERVER_ERROR shows the
// requestId to quote. A network error (no answer the page may read, as
// from an origin faultline does not allow) has no code.
function errorLink(session) {
  return new ErrorLink(({ error, operation, forward }) => {
    if (!CombinedGraphQLErrors.is(error)) {
      notices.push({ operation: operation.operationName, action: "offline", message: error.message });
      return;
    }
    for (const { extensions: ext = {} } of error.errors) {
      const notice = { operation: operation.operationName, code: ext.code, type: ext.type };
      notices.push(notice);
      switch (ext.code) {
        case "UNAUTHENTICATED":
          if (ext.type === "TOKEN_EXPIRED" && session?.refreshToken && !operation.getContext().retried) {
            notice.action = "refresh";
            const replaced = operation.getContext().sentToken !== session.accessToken;
            return from(replaced ? Promise.resolve() : session.refresh()).pipe(
              switchMap(() => {
                operation.setContext({ retried: true });
                return forward(operation);
              }),
            );
          }
          notice.action = "sign-in";
          break;
        case "RATE_LIMITED":
        case "SERVICE_UNAVAILABLE":
          notice.action = `retry in ${ext.retryAfter}s`;
          break;
        case "INTERNAL_SERVER_ERROR":
          notice.action = `report ${ext.requestId}`;
          break;
        case "BAD_USER_INPUT":
          notice.action = "show the form's errors";
          break;
        default:
          notice.action = "show the message";
      }
    }
  });
}

// authLink sets Authorization from the session at every (re)try.
function authLink(session) {
  return new SetContextLink((prev) => ({
    sentToken: session?.accessToken,
    headers: { ...prev.headers, ...(session?.accessToken ? { authorization: `Bearer ${session.accessToken}` } : {}) },
  }));
}

// transports are the ends of the link chain the app can choose.
const transports = {
  // One operation per POST.
  http: ({ uri, print }) => new HttpLink({ uri, fetch: recordingFetch, print }),
  // The hash first (POST); on PERSISTED_QUERY_NOT_FOUND the link resends
  // with the document, which faultline then keeps.
  persisted: ({ uri }) => new PersistedQueryLink({ sha256 }).concat(new HttpLink({ uri, fetch: recordingFetch })),
  // The same with hashed queries over GET, which a CDN can cache.
  "persisted-get": ({ uri }) =>
    new PersistedQueryLink({ sha256, useGETForHashedQueries: true }).concat(new HttpLink({ uri, fetch: recordingFetch })),
  // Trusted documents: the ids of the manifest the build generated, never the text.
  manifest: ({ uri }) =>
    new PersistedQueryLink(generatePersistedQueryIdsFromManifest({
      loadManifest: () => fetch("/persisted-query-manifest.json").then((r) => r.json()),
    })).concat(new HttpLink({ uri, fetch: recordingFetch })),
  // Operations within 10 ms of each other share one POST; batchMax must not
  // exceed the server's FAULTLINE_BATCH_MAX.
  batch: ({ uri, batchMax = 5 }) => new BatchHttpLink({ uri, fetch: recordingFetch, batchMax, batchInterval: 10 }),
};

const isSubscription = ({ query }) => {
  const def = getMainDefinition(query);
  return def.kind === "OperationDefinition" && def.operation === "subscription";
};

// createClient builds the app's client: error link, auth, then the
// transport; with a graphql-ws client (ws), subscriptions go over its
// WebSocket instead, the token in connection_init's payload.
export function createClient({ uri, transport = "http", session, print, batchMax, ws }) {
  const http = ApolloLink.from([errorLink(session), authLink(session), transports[transport]({ uri, print, batchMax })]);
  return new ApolloClient({
    link: ws ? ApolloLink.split(isSubscription, new GraphQLWsLink(ws), http) : http,
    cache: new InMemoryCache(),
  });
}

// describe turns a result into plain data the test can read.
function describe({ data, error }) {
  if (!error) return { data };
  if (!CombinedGraphQLErrors.is(error)) return { data, network: { name: error.name, message: error.message } };
  return {
    data,
    name: error.name,
    errors: error.errors.map((e) => ({ message: e.message, path: e.path, ...e.extensions })),
  };
}

// run sends one operation, given as text (window.app is driven from the test).
async function run({ uri, transport, query, variables, mutation = false, accessToken, refreshToken, brokenPrint, batchMax }) {
  const session = accessToken || refreshToken ? new Session({ uri, accessToken, refreshToken }) : undefined;
  const print = brokenPrint ? () => brokenPrint : undefined;
  const client = createClient({ uri, transport, session, print, batchMax });
  const doc = gql(query);
  const options = { variables, errorPolicy: "all", fetchPolicy: "no-cache" };
  const result = mutation ? await client.mutate({ mutation: doc, ...options }) : await client.query({ query: doc, ...options });
  return { ...describe(result), refreshes: session?.refreshes ?? 0 };
}

// runTogether sends operations at once through one client (so a batch link
// batches them) and returns their results in order.
async function runTogether({ uri, transport, operations, accessToken, batchMax }) {
  const session = accessToken ? new Session({ uri, accessToken }) : undefined;
  const client = createClient({ uri, transport, session, batchMax });
  const results = await Promise.all(operations.map(({ query, variables }) =>
    client.query({ query: gql(query), variables, errorPolicy: "all", fetchPolicy: "no-cache" })));
  return results.map(describe);
}

// sockets records each subscription the page follows: its WebSocket's
// connections and close codes, and every result, as describe() has it.
export const sockets = [];

// subscribe follows one subscription through GraphQLWsLink (at the same
// /query URL, ws: instead of http:) and returns its index in sockets. A
// handshake the browser refuses to hand over (an origin faultline does not
// allow answers 403) shows as a socket closed without a connection.
function subscribe({ uri, query, variables, accessToken }) {
  const socket = { connections: 0, closes: [], results: [], complete: false };
  sockets.push(socket);
  const ws = createWsClient({
    url: uri.replace(/^http/, "ws"),
    connectionParams: () => (accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
    retryAttempts: 0,
    on: { connected: () => socket.connections++, closed: (e) => socket.closes.push(e.code) },
  });
  const client = createClient({ uri, ws });
  client.subscribe({ query: gql(query), variables, errorPolicy: "all" }).subscribe({
    next: (result) => socket.results.push(describe(result)),
    complete: () => { socket.complete = true; },
  });
  return sockets.length - 1;
}

// The page itself: the catalog from the API named in ?api=.
async function render() {
  const api = new URLSearchParams(location.search).get("api");
  const status = document.getElementById("status");
  if (!api) {
    status.textContent = "no ?api= given";
    return;
  }
  const { data, error } = await createClient({ uri: api }).query({ query: PRODUCTS, variables: { first: 5 }, errorPolicy: "all" });
  const list = document.getElementById("products");
  for (const { node } of data?.products?.edges ?? []) {
    const li = document.createElement("li");
    li.textContent = `${node.name} — ${(node.priceCents / 100).toFixed(2)} USD`;
    list.append(li);
  }
  status.textContent = error ? `failed: ${error.message}` : `${list.children.length} products`;
}

window.app = {
  run,
  runTogether,
  subscribe,
  sockets,
  sha256,
  wire,
  notices,
  rendered: render().then(() => document.getElementById("status").textContent),
  reset() {
    wire.length = 0;
    notices.length = 0;
  },
};
