// How a frontend talks to faultline with Apollo Client 4: the links, the
// token refresh, subscriptions over graphql-ws, and the helpers that turn
// faultline's typed errors into UI decisions. docs/clients.md quotes this file; the tests beside it hold it
// to a real faultline.
import { ApolloClient, ApolloLink, CombinedGraphQLErrors, HttpLink, InMemoryCache } from "@apollo/client";
import { SetContextLink } from "@apollo/client/link/context";
import { ErrorLink } from "@apollo/client/link/error";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { getMainDefinition } from "@apollo/client/utilities";
import { createClient as createWsClient } from "graphql-ws";
import { from, switchMap } from "rxjs";

// errorTypes lists extensions.type of every GraphQL error of an Apollo error.
export function errorTypes(error) {
  return CombinedGraphQLErrors.is(error) ? error.errors.map((e) => e.extensions?.type) : [];
}

// formErrors maps a BAD_USER_INPUT / VALIDATION_FAILED error to form fields:
// { email: "must be a valid email address", ... }. A path starts at the
// argument name (["input", "email"]); the form field is its last name.
export function formErrors(error) {
  if (!CombinedGraphQLErrors.is(error)) return {};
  const out = {};
  for (const e of error.errors) {
    if (e.extensions?.type !== "VALIDATION_FAILED") continue;
    for (const f of e.extensions.fields) {
      const name = f.path.filter((p) => typeof p === "string").at(-1);
      out[name] ??= f.message;
    }
  }
  return out;
}

// Session holds the tokens of a signed-in user and refreshes them. Refresh
// tokens are spent by their first use (presenting one twice revokes the
// whole session), so concurrent refreshes share one request.
export class Session {
  constructor({ uri, accessToken, refreshToken, onLogout = () => {} }) {
    Object.assign(this, { uri, accessToken, refreshToken, onLogout });
    this.refreshing = null;
    this.refreshes = 0;
  }

  refresh() {
    this.refreshing ??= this.#refresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  async #refresh() {
    this.refreshes++;
    const res = await fetch(this.uri, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/graphql-response+json" },
      body: JSON.stringify({
        query: "mutation Refresh($token: String!) { refreshToken(token: $token) { accessToken refreshToken } }",
        variables: { token: this.refreshToken },
      }),
    });
    const body = await res.json();
    const session = body.data?.refreshToken;
    if (!session) {
      // TOKEN_REVOKED (a spent or logged-out token), TOKEN_EXPIRED, USER_SUSPENDED...:
      // the user must sign in again; retrying would not help.
      this.accessToken = this.refreshToken = null;
      const type = body.errors?.[0]?.extensions?.type;
      this.onLogout(type);
      throw Object.assign(new Error(`session ended: ${type}`), { type });
    }
    this.accessToken = session.accessToken;
    this.refreshToken = session.refreshToken;
  }
}

// subscriptionClient is graphql-ws's client for faultline's WebSocket: the
// token goes in connection_init's payload, read from the session at each
// connection, since the protocol sends it once per connection. Lazy (the
// default): it connects for the first subscription and closes after the last.
export function subscriptionClient({ url, session, ...options }) {
  return createWsClient({
    url,
    connectionParams: () => (session?.accessToken ? { authorization: `Bearer ${session.accessToken}` } : {}),
    ...options,
  });
}

const isSubscription = ({ query }) => {
  const def = getMainDefinition(query);
  return def.kind === "OperationDefinition" && def.operation === "subscription";
};

// createClient builds an Apollo Client for faultline. The link chain, from
// the operation down to the network:
//   split       - with a graphql-ws client (ws), subscriptions go over its
//                 WebSocket (GraphQLWsLink), the rest over HTTP below;
//   ErrorLink   - on TOKEN_EXPIRED: refresh once, then retry the operation (a
//                 request sent with a token the session has already replaced
//                 just retries: another request refreshed meanwhile);
//   auth        - sets Authorization from the session at every (re)try;
//   HttpLink    - asks for application/graphql-response+json (Apollo Client 4's
//                 default), so request errors keep their own HTTP status and
//                 still arrive as CombinedGraphQLErrors.
// A subscription bypasses the refresh: a retry would run on the same
// connection with the same token, so follow() below subscribes again instead.
export function createClient({ uri, session, fetch: fetchImpl, print, headers, ws }) {
  const refreshOnExpiry = new ErrorLink(({ error, operation, forward }) => {
    const expired = errorTypes(error).includes("TOKEN_EXPIRED");
    if (!expired || !session?.refreshToken || operation.getContext().retried) return;
    const replaced = operation.getContext().sentToken !== session.accessToken;
    return from(replaced ? Promise.resolve() : session.refresh()).pipe(
      switchMap(() => {
        operation.setContext({ retried: true });
        return forward(operation);
      }),
    );
  });
  const auth = new SetContextLink((prev) => ({
    sentToken: session?.accessToken,
    headers: {
      ...prev.headers,
      ...headers,
      ...(session?.accessToken ? { authorization: `Bearer ${session.accessToken}` } : {}),
    },
  }));
  const http = ApolloLink.from([refreshOnExpiry, auth, new HttpLink({ uri, fetch: fetchImpl, print })]);
  return new ApolloClient({
    link: ws ? ApolloLink.split(isSubscription, new GraphQLWsLink(ws), http) : http,
    cache: new InMemoryCache(),
  });
}

// follow subscribes and hands every state to onData, and every typed error
// to onError. TOKEN_EXPIRED ends every subscription of the connection at
// the token's exp: refresh (once for all of them), then subscribe again,
// which opens a new connection with the new token. It returns a function
// that stops following.
export function follow(client, session, { query, variables }, { onData, onError = () => {} }) {
  let current, stopped = false;
  const start = () => {
    current = client.subscribe({ query, variables }).subscribe({
      next: async ({ data, error }) => {
        if (!error) return onData(data);
        onError(error);
        if (!errorTypes(error).includes("TOKEN_EXPIRED") || !session?.refreshToken) return;
        try {
          await session.refresh();
        } catch {
          return; // the session ended: onLogout has said so
        }
        if (!stopped) start();
      },
    });
  };
  start();
  return () => {
    stopped = true;
    current.unsubscribe();
  };
}
