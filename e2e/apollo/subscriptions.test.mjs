// Subscriptions through real clients: graphql-ws's createClient, Apollo
// Client 4's GraphQLWsLink over it, and graphql-sse's createClient, against
// started faultline processes. e2e/subscriptions_test.go starts them:
// FAULTLINE_URL (the main one), SHORT_TTL_URL (FAULTLINE_ACCESS_TTL=2s),
// DRAINING_URL (FAULTLINE_DRAIN_DELAY, drained through CONTROL_URL's POST
// /drain) and, in the PostgreSQL pass only, PEER_URL (a second process on
// the main one's database) and OUTAGE_URL (a process on a PostgreSQL of its
// own, stopped and started through CONTROL_URL).
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, describe, test } from "node:test";

import { CombinedGraphQLErrors, gql } from "@apollo/client";
import { createClient as createSseClient } from "graphql-sse";
import WebSocket from "ws";

import { Session, createClient, errorTypes, follow, subscriptionClient } from "./client.mjs";

// Node 20 has no global WebSocket: graphql-ws gets ws's, and GraphQLWsLink,
// which reads WebSocket.CLOSED to tell a failed socket, finds it too.
globalThis.WebSocket ??= WebSocket;

const env = (name) => {
  assert.ok(process.env[name], `${name} is set`);
  return process.env[name];
};
const main = env("FAULTLINE_URL");
const shortTTL = env("SHORT_TTL_URL");
const draining = env("DRAINING_URL");
const control = env("CONTROL_URL");
const password = env("FAULTLINE_DEMO_PASSWORD");
const peer = process.env.PEER_URL; // PostgreSQL only
const outage = process.env.OUTAGE_URL; // PostgreSQL only: a cluster CONTROL_URL stops and starts

const httpURL = (base) => new URL("/query", base).href;
const wsURL = (base) => httpURL(base).replace(/^http/, "ws");

const ORDER = "subscription Order($id: ID!) { orderUpdated(id: $id) { id status } }";
const WALLET = "subscription Wallet { walletUpdated { balanceCents currency } }";

// graphql sends a query or mutation over HTTP, as another tab would, and
// returns its data; it must not fail.
async function graphql(base, query, variables, token) {
  const res = await fetch(httpURL(base), {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data;
}

// signUp registers a new user on base: a wallet at 0, nobody else's streams.
async function signUp(base, name) {
  const { register } = await graphql(base,
    "mutation($in: RegisterInput!) { register(input: $in) { accessToken refreshToken user { id } } }",
    { in: { email: `${name}-${randomUUID()}@example.com`, password: "a long enough password", name } });
  return register;
}

async function signIn(base, email) {
  const { login } = await graphql(base,
    "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken user { id } } }",
    { e: email, p: password });
  return login;
}

// The shop's moves, each through its own HTTP request.
const shop = {
  async placeOrder(base, token) {
    const { products } = await graphql(base, "{ products(first: 1) { edges { node { id } } } }");
    const { placeOrder } = await graphql(base,
      "mutation($p: ID!) { placeOrder(input: {items: [{productId: $p, quantity: 1}]}) { id totalCents } }",
      { p: products.edges[0].node.id }, token);
    return placeOrder;
  },
  topUp: (base, token, cents) => graphql(base, "mutation($c: Int!) { topUp(amountCents: $c) { balanceCents } }", { c: cents }, token),
  move: (base, token, verb, id) => graphql(base, `mutation($id: ID!) { ${verb}(id: $id) { status } }`, { id }, token),
  suspend: (base, token, id) => graphql(base, "mutation($id: ID!) { suspendUser(id: $id) { id } }", { id }, token),
};

// Stream queues what one subscription delivers, in order, for the test to
// take: { data, errors } for a next (or Apollo's result), { error } for the
// error callback, { complete: true } at the end.
class Stream {
  #items = [];
  #waiting = [];

  push(item) {
    const resolve = this.#waiting.shift();
    if (resolve) resolve(item);
    else this.#items.push(item);
  }

  take(ms = 10_000) {
    if (this.#items.length) return Promise.resolve(this.#items.shift());
    return new Promise((resolve, reject) => {
      const waiter = (item) => {
        clearTimeout(timer);
        resolve(item);
      };
      const timer = setTimeout(() => {
        this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
        reject(new Error(`nothing arrived within ${ms} ms`));
      }, ms);
      this.#waiting.push(waiter);
    });
  }

  // data takes the next item, which must be data without errors.
  async data(field) {
    const item = await this.take();
    assert.equal(item.errors ?? item.error, undefined, `an error instead of ${field}: ${JSON.stringify(item)}`);
    return item.data[field];
  }

  // ending takes the last result, whose one error says why, then the complete.
  async ending(ms) {
    const item = await this.take(ms);
    assert.ok(item.errors, `an error, got ${JSON.stringify(item)}`);
    assert.deepEqual((await this.take()).complete, true, "complete follows the error");
    return item;
  }
}

// assertTyped checks one GraphQL error as a client received it.
function assertTyped(e, [code, type, status]) {
  assert.equal(e.extensions.code, code, JSON.stringify(e));
  assert.equal(e.extensions.type, type);
  assert.equal(e.extensions.status, status);
  assert.match(e.extensions.requestId, /^[0-9a-f]{16}$/);
  assert.equal(typeof e.message, "string");
}

// streamOf subscribes through a graphql-ws or a graphql-sse client, whose
// subscribe has one shape, and returns the Stream and what stops it.
function streamOf(client, query, variables) {
  const s = new Stream();
  const stop = client.subscribe({ query, variables }, {
    next: ({ data, errors }) => s.push({ data, errors }),
    error: (error) => s.push({ error }),
    complete: () => s.push({ complete: true }),
  });
  return [s, stop];
}

// followsTheShop checks that orders and wallet send the current state,
// then every move of a top-up, the order's payment and its shipping, each
// made through another request.
async function followsTheShop({ orders, wallet, buyer, admin, order }) {
  assert.equal((await orders.data("orderUpdated")).status, "PENDING", "the current state first");
  assert.deepEqual(await wallet.data("walletUpdated").then(({ balanceCents, currency }) => ({ balanceCents, currency })),
    { balanceCents: 0, currency: "USD" });
  await shop.topUp(main, buyer.accessToken, 100_000);
  assert.equal((await wallet.data("walletUpdated")).balanceCents, 100_000);
  await shop.move(main, buyer.accessToken, "payOrder", order.id);
  assert.equal((await orders.data("orderUpdated")).status, "PAID");
  assert.equal((await wallet.data("walletUpdated")).balanceCents, 100_000 - order.totalCents);
  await shop.move(main, admin.accessToken, "shipOrder", order.id);
  assert.equal((await orders.data("orderUpdated")).status, "SHIPPED");
}

// The two WebSocket clients, behind one shape: connect(base, session)
// returns { subscribe(query, variables) → Stream, connections, closes, dispose }.
const clients = {
  "graphql-ws": (base, session) => {
    const conn = connection(base, session);
    conn.subscribe = (query, variables) => {
      const [s, stop] = streamOf(conn.ws, query, variables);
      conn.stops.push(stop);
      return s;
    };
    return conn;
  },
  "Apollo Client's GraphQLWsLink": (base, session) => {
    const conn = connection(base, session);
    conn.apollo = createClient({ uri: httpURL(base), session, ws: conn.ws });
    conn.subscribe = (query, variables) => {
      const s = new Stream();
      // errorPolicy "all" keeps the data beside the errors, as graphql-ws has it.
      const sub = conn.apollo.subscribe({ query: gql(query), variables, errorPolicy: "all" }).subscribe({
        next: ({ data, error }) => s.push(CombinedGraphQLErrors.is(error) ? { data, errors: error.errors } : error ? { data, error } : { data }),
        error: (error) => s.push({ error }),
        complete: () => s.push({ complete: true }),
      });
      conn.stops.push(() => sub.unsubscribe());
      return s;
    };
    return conn;
  },
};

const open = []; // every client's connection, disposed after the suite

// connection is a graphql-ws client that counts its connections and
// records their close codes; it never retries, so that every close shows.
function connection(base, session) {
  const conn = { connections: 0, closes: [], stops: [] };
  conn.ws = subscriptionClient({
    url: wsURL(base),
    session,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    on: {
      connected: () => conn.connections++,
      closed: (event) => conn.closes.push(event.code),
    },
  });
  conn.dispose = () => {
    for (const stop of conn.stops) stop();
    return conn.ws.dispose();
  };
  open.push(conn);
  return conn;
}

after(() => Promise.all(open.map((c) => c.dispose())));

for (const [name, connect] of Object.entries(clients)) {
  describe(name, () => {
    test("an order's and a wallet's every move arrive, each made through another request", async () => {
      const buyer = await signUp(main, "follower");
      const admin = await signIn(main, "admin@faultline.dev");
      const order = await shop.placeOrder(main, buyer.accessToken);
      const c = connect(main, new Session({ uri: httpURL(main), accessToken: buyer.accessToken }));
      const orders = c.subscribe(ORDER, { id: order.id });
      const wallet = c.subscribe(WALLET);
      await followsTheShop({ orders, wallet, buyer, admin, order });
      await shop.move(main, admin.accessToken, "deliverOrder", order.id);
      assert.equal((await orders.data("orderUpdated")).status, "DELIVERED");
      assert.equal(c.connections, 1, "both subscriptions share one connection");
    });

    test("TOKEN_MISSING, another user's order and a bad document arrive typed", async () => {
      // Registrations are 10 an hour from one address: the owner is a demo user.
      const owner = await signIn(main, "user@faultline.dev");
      const order = await shop.placeOrder(main, owner.accessToken);
      const stranger = await signUp(main, "stranger");

      const anonymous = connect(main, undefined).subscribe(WALLET);
      const missing = await anonymous.ending();
      assert.equal(missing.errors.length, 1);
      assertTyped(missing.errors[0], ["UNAUTHENTICATED", "TOKEN_MISSING", 401]);
      assert.deepEqual(missing.errors[0].path, ["walletUpdated"]);

      // The stranger's wallet keeps the (lazy) connection open throughout.
      const c = connect(main, new Session({ uri: httpURL(main), accessToken: stranger.accessToken }));
      const wallet = c.subscribe(WALLET);
      assert.equal((await wallet.data("walletUpdated")).balanceCents, 0);
      const notYours = await c.subscribe(ORDER, { id: order.id }).ending();
      assertTyped(notYours.errors[0], ["NOT_FOUND", "RESOURCE_NOT_FOUND", 404]);
      assert.deepEqual(notYours.errors[0].path, ["orderUpdated"]);

      // A document that does not validate is an error message: graphql-ws
      // hands its errors to the error callback, Apollo Client to the result.
      const bad = await c.subscribe("subscription { walletUpdated { balanceCentz } }").take();
      const errors = bad.errors ?? bad.error;
      assert.ok(Array.isArray(errors), JSON.stringify(bad));
      assertTyped(errors[0], ["GRAPHQL_VALIDATION_FAILED", "INVALID_QUERY", 422]);
      if (name === "graphql-ws") assert.ok(bad.error, "graphql-ws's error callback");
      await shop.topUp(main, stranger.accessToken, 300);
      assert.equal((await wallet.data("walletUpdated")).balanceCents, 300);
      assert.equal(c.connections, 1, "the connection outlives its failed subscriptions");
    });

    test("TOKEN_EXPIRED at the token's exp, without an event (FAULTLINE_ACCESS_TTL=2s)", async () => {
      const buyer = await signUp(shortTTL, "expiring");
      const { exp } = JSON.parse(Buffer.from(buyer.accessToken.split(".")[1], "base64url"));
      const c = connect(shortTTL, new Session({ uri: httpURL(shortTTL), accessToken: buyer.accessToken }));
      const wallet = c.subscribe(WALLET);
      assert.equal((await wallet.data("walletUpdated")).balanceCents, 0);
      const end = await wallet.ending(5_000);
      const ended = Date.now() / 1000;
      assertTyped(end.errors[0], ["UNAUTHENTICATED", "TOKEN_EXPIRED", 401]);
      assert.deepEqual(end.errors[0].path, ["walletUpdated"]);
      assert.deepEqual(end.data, { walletUpdated: null }, "data is null for the field");
      assert.ok(ended >= exp && ended < exp + 1.5, `ended ${ended - exp} s after exp`);
    });

    test("an admin suspending the subscriber ends the stream with USER_SUSPENDED", async () => {
      const victim = await signUp(main, "suspended");
      const admin = await signIn(main, "admin@faultline.dev");
      const c = connect(main, new Session({ uri: httpURL(main), accessToken: victim.accessToken }));
      const wallet = c.subscribe(WALLET);
      await wallet.data("walletUpdated");
      await shop.suspend(main, admin.accessToken, victim.user.id);
      const end = await wallet.ending();
      assertTyped(end.errors[0], ["FORBIDDEN", "USER_SUSPENDED", 403]);
      assert.deepEqual(end.data, { walletUpdated: null });
    });

    test("a change through a second instance on the same PostgreSQL arrives", { skip: !peer && "PostgreSQL only (PEER_URL)" }, async () => {
      const buyer = await signUp(main, "elsewhere");
      const order = await shop.placeOrder(main, buyer.accessToken);
      const onPeer = connect(peer, new Session({ uri: httpURL(peer), accessToken: buyer.accessToken }));
      const orders = onPeer.subscribe(ORDER, { id: order.id });
      const wallet = onPeer.subscribe(WALLET);
      assert.equal((await orders.data("orderUpdated")).status, "PENDING");
      assert.equal((await wallet.data("walletUpdated")).balanceCents, 0);
      await shop.topUp(main, buyer.accessToken, 50_000);
      assert.equal((await wallet.data("walletUpdated")).balanceCents, 50_000);
      await shop.move(main, buyer.accessToken, "payOrder", order.id);
      assert.equal((await orders.data("orderUpdated")).status, "PAID");
      assert.equal((await wallet.data("walletUpdated")).balanceCents, 50_000 - order.totalCents);
    });
  });
}

test("after TOKEN_EXPIRED, follow() refreshes once and subscribes again on a new connection", async () => {
  const buyer = await signUp(shortTTL, "refreshing");
  const session = new Session({ uri: httpURL(shortTTL), accessToken: buyer.accessToken, refreshToken: buyer.refreshToken });
  const conn = connection(shortTTL, session);
  const client = createClient({ uri: httpURL(shortTTL), session, ws: conn.ws });
  const states = new Stream();
  const errors = [];
  const stop = follow(client, session, { query: gql(WALLET) }, {
    onData: (data) => states.push(data.walletUpdated.balanceCents),
    onError: (error) => errors.push(...errorTypes(error)),
  });
  conn.stops.push(stop);
  assert.equal(await states.take(), 0);
  assert.equal(await states.take(5_000), 0, "the current state again, after the refresh");
  assert.deepEqual(errors, ["TOKEN_EXPIRED"]);
  assert.equal(session.refreshes, 1);
  assert.equal(conn.connections, 2, "the new token needed a new connection");
  await shop.topUp(shortTTL, session.accessToken, 700);
  assert.equal(await states.take(), 700);
});

test("SIGTERM ends both WebSocket clients' streams with SHUTTING_DOWN and retryAfter, then closes 1001", async () => {
  const buyer = await signUp(draining, "drained");
  const session = new Session({ uri: httpURL(draining), accessToken: buyer.accessToken });
  const conns = Object.values(clients).map((connect) => connect(draining, session));
  const streams = conns.map((c) => c.subscribe(WALLET));
  for (const s of streams) await s.data("walletUpdated");

  const res = await fetch(`${control}/drain`, { method: "POST" });
  assert.equal(res.status, 204, await res.text());
  for (const s of streams) {
    const end = await s.ending();
    assertTyped(end.errors[0], ["SERVICE_UNAVAILABLE", "SHUTTING_DOWN", 503]);
    assert.ok(Number.isInteger(end.errors[0].extensions.retryAfter) && end.errors[0].extensions.retryAfter > 0,
      `retryAfter: ${end.errors[0].extensions.retryAfter}`);
    assert.deepEqual(end.data, { walletUpdated: null });
  }
  for (const c of conns) {
    for (let deadline = Date.now() + 5_000; !c.closes.length && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(c.closes, [1001], "going away");
  }
});

test("PostgreSQL stopped and started again under a graphql-ws subscriber: the stream carries on", { skip: !outage && "PostgreSQL only (OUTAGE_URL)" }, async () => {
  const buyer = await signUp(outage, "steady");
  const c = clients["graphql-ws"](outage, new Session({ uri: httpURL(outage), accessToken: buyer.accessToken }));
  const wallet = c.subscribe(WALLET);
  assert.equal((await wallet.data("walletUpdated")).balanceCents, 0);

  const control = async (what) => assert.equal((await fetch(`${process.env.CONTROL_URL}/postgres/${what}`, { method: "POST" })).status, 204);
  await control("stop");
  await new Promise((r) => setTimeout(r, 1_000));
  await control("start");
  assert.equal((await wallet.data("walletUpdated")).balanceCents, 0, "the current state, read again once the database is back");
  for (let deadline = Date.now() + 10_000; ; await new Promise((r) => setTimeout(r, 100))) {
    const res = await fetch(httpURL(outage), {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${buyer.accessToken}` },
      body: JSON.stringify({ query: "mutation { topUp(amountCents: 900) { balanceCents } }" }),
    });
    if (!(await res.json()).errors) break;
    assert.ok(Date.now() < deadline, "the database came back for requests");
  }
  let balance;
  do balance = (await wallet.data("walletUpdated")).balanceCents; // a retried read may send the gap's state again
  while (balance === 0);
  assert.equal(balance, 900);
  assert.equal(c.connections, 1, "one connection throughout");
  assert.deepEqual(c.closes, []);
});

describe("graphql-sse", () => {
  const sse = (token) => createSseClient({
    url: httpURL(main),
    headers: () => (token ? { authorization: `Bearer ${token}` } : {}),
    retryAttempts: 0,
  });
  const subscribe = (client, query, variables) => {
    const [s, stop] = streamOf(client, query, variables);
    after(stop);
    return s;
  };

  test("an order's and a wallet's every move arrive", async () => {
    const buyer = await signUp(main, "sse-follower");
    const admin = await signIn(main, "admin@faultline.dev");
    const order = await shop.placeOrder(main, buyer.accessToken);
    const client = sse(buyer.accessToken);
    const orders = subscribe(client, ORDER, { id: order.id });
    const wallet = subscribe(client, WALLET);
    await followsTheShop({ orders, wallet, buyer, admin, order });
  });

  test("TOKEN_MISSING arrives typed in a next event, then complete", async () => {
    const end = await subscribe(sse(undefined), WALLET).ending();
    assert.equal(end.errors.length, 1);
    assertTyped(end.errors[0], ["UNAUTHENTICATED", "TOKEN_MISSING", 401]);
    assert.deepEqual(end.errors[0].path, ["walletUpdated"]);
  });
});
