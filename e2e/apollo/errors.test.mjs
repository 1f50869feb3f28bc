// A real Apollo Client 4 against a started faultline (FAULTLINE_URL, with
// FAULTLINE_JWT_SECRET and FAULTLINE_DEMO_PASSWORD of that server). The Go
// test e2e/e2e_test.go starts the server and runs this suite.
import assert from "node:assert/strict";
import { createHmac, randomUUID } from "node:crypto";
import { before, describe, test } from "node:test";

import { CombinedGraphQLErrors, gql } from "@apollo/client";

import { Session, createClient, errorTypes, formErrors } from "./client.mjs";

const uri = new URL("/query", process.env.FAULTLINE_URL ?? "http://127.0.0.1:8080").href;
const secret = process.env.FAULTLINE_JWT_SECRET;
const password = process.env.FAULTLINE_DEMO_PASSWORD;

async function login(email, pw = password) {
  const { data } = await createClient({ uri }).mutate({
    mutation: gql`mutation Login($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken user { id } } }`,
    variables: { e: email, p: pw },
  });
  return data.login;
}

// forge signs an access token with the server's secret, as it would, but
// expired: the refresh flow's trigger.
function forgeExpired(userID) {
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const head = b64({ alg: "HS256", typ: "at+jwt" });
  const body = b64({ iss: "faultline", aud: "faultline", sub: userID, role: "USER", iat: now - 7200, exp: now - 3600, jti: randomUUID() });
  const sig = createHmac("sha256", secret).update(`${head}.${body}`).digest("base64url");
  return `${head}.${body}.${sig}`;
}

// expectError runs an operation that must fail and returns its CombinedGraphQLErrors.
async function expectError(run) {
  const { error } = await run();
  assert.ok(CombinedGraphQLErrors.is(error), `a CombinedGraphQLErrors, got ${error}`);
  return error;
}

const ME = gql`query Me { me { id email } }`;

let user;
before(async () => {
  assert.ok(secret && password, "FAULTLINE_JWT_SECRET and FAULTLINE_DEMO_PASSWORD are set");
  user = await login("user@faultline.dev");
});

describe("every error family reaches Apollo Client as CombinedGraphQLErrors with code, type and status", () => {
  const families = [
    {
      name: "BAD_REQUEST (a body over the server's limit)",
      want: ["BAD_REQUEST", "BODY_TOO_LARGE", 413],
      run: (c) => c.query({ query: gql`query Big($pad: ID!) { product(id: $pad) { id } }`, variables: { pad: "x".repeat(8000) }, errorPolicy: "all" }),
    },
    {
      name: "GRAPHQL_PARSE_FAILED",
      want: ["GRAPHQL_PARSE_FAILED", "SYNTAX_ERROR", 400],
      client: () => createClient({ uri, print: () => "{ products { edges " }),
      run: (c) => c.query({ query: gql`{ products { edges { cursor } } }`, errorPolicy: "all", fetchPolicy: "no-cache" }),
    },
    {
      name: "GRAPHQL_VALIDATION_FAILED",
      want: ["GRAPHQL_VALIDATION_FAILED", "INVALID_QUERY", 422],
      run: (c) => c.query({ query: gql`{ products { edges { nod } } }`, errorPolicy: "all" }),
    },
    {
      name: "BAD_USER_INPUT",
      want: ["BAD_USER_INPUT", "INVALID_CURSOR", 422],
      run: (c) => c.query({ query: gql`{ products(after: "nope") { edges { cursor } } }`, errorPolicy: "all" }),
    },
    {
      name: "UNAUTHENTICATED",
      want: ["UNAUTHENTICATED", "TOKEN_MISSING", 401],
      run: (c) => c.query({ query: ME, errorPolicy: "all" }),
    },
    {
      name: "FORBIDDEN",
      want: ["FORBIDDEN", "INSUFFICIENT_ROLE", 403],
      client: () => createClient({ uri, session: new Session({ uri, accessToken: user.accessToken }) }),
      run: (c) => c.query({ query: gql`{ users(first: 1) { edges { cursor } } }`, errorPolicy: "all" }),
    },
    {
      name: "NOT_FOUND",
      want: ["NOT_FOUND", "RESOURCE_NOT_FOUND", 404],
      run: (c) => c.query({ query: gql`{ product(id: "nope") { id } }`, errorPolicy: "all" }),
    },
    {
      name: "CONFLICT",
      want: ["CONFLICT", "ALREADY_EXISTS", 409],
      run: (c) => c.mutate({
        mutation: gql`mutation { register(input: {email: "user@faultline.dev", password: "a long enough password", name: "Twin"}) { accessToken } }`,
        errorPolicy: "all",
      }),
    },
    {
      name: "PAYMENT_REQUIRED",
      want: ["PAYMENT_REQUIRED", "INSUFFICIENT_FUNDS", 402],
      client: () => createClient({ uri, session: new Session({ uri, accessToken: user.accessToken }) }),
      run: async (c) => {
        const { data } = await c.query({ query: gql`{ products(first: 1) { edges { node { id } } } }` });
        const placed = await c.mutate({
          mutation: gql`mutation Place($p: ID!) { placeOrder(input: {items: [{productId: $p, quantity: 100}]}) { id } }`,
          variables: { p: data.products.edges[0].node.id },
        });
        return c.mutate({ mutation: gql`mutation Pay($id: ID!) { payOrder(id: $id) { status } }`, variables: { id: placed.data.placeOrder.id }, errorPolicy: "all" });
      },
    },
    {
      name: "RATE_LIMITED",
      want: ["RATE_LIMITED", "TOO_MANY_LOGIN_ATTEMPTS", 429],
      run: async (c) => {
        const attempt = () => c.mutate({ mutation: gql`mutation { login(email: "ghost@example.com", password: "wrong-password") { accessToken } }`, errorPolicy: "all" });
        for (let i = 0; i < 5; i++) await attempt();
        return attempt();
      },
    },
  ];
  for (const f of families) {
    test(f.name, async () => {
      const client = f.client?.() ?? createClient({ uri });
      const error = await expectError(() => f.run(client));
      const [code, type, status] = f.want;
      const e = error.errors[0];
      assert.equal(e.extensions.code, code);
      assert.equal(e.extensions.type, type);
      assert.equal(e.extensions.status, status);
      assert.match(e.extensions.requestId, /^[0-9a-f]{16}$/);
      assert.equal(typeof e.message, "string");
    });
  }
});

describe("the refresh flow", () => {
  test("on TOKEN_EXPIRED: refresh, retry, get the data", async () => {
    const s = await login("user@faultline.dev");
    const session = new Session({ uri, accessToken: forgeExpired(s.user.id), refreshToken: s.refreshToken });
    const client = createClient({ uri, session });
    const { data, error } = await client.query({ query: ME });
    assert.equal(error, undefined);
    assert.equal(data.me.id, s.user.id);
    assert.equal(data.me.email, "user@faultline.dev");
    assert.equal(session.refreshes, 1);
    assert.notEqual(session.refreshToken, s.refreshToken, "the refresh token was rotated");
  });

  test("expired requests in flight together share one refresh", async () => {
    const s = await login("user@faultline.dev");
    const session = new Session({ uri, accessToken: forgeExpired(s.user.id), refreshToken: s.refreshToken });
    const client = createClient({ uri, session });
    const results = await Promise.all([
      client.query({ query: ME, fetchPolicy: "no-cache" }),
      client.query({ query: gql`query Mine { myOrders(first: 1) { edges { cursor } } }`, fetchPolicy: "no-cache" }),
      client.query({ query: gql`query Wallet { me { wallet { balanceCents } } }`, fetchPolicy: "no-cache" }),
    ]);
    for (const r of results) assert.equal(r.error, undefined);
    assert.equal(session.refreshes, 1, "one refresh token, spent once");
  });

  test("stops on TOKEN_REVOKED: no retry loop, the user is logged out", async () => {
    const s = await login("user@faultline.dev");
    // The refresh token is spent elsewhere (another tab), so presenting it again is a reuse.
    await new Session({ uri, refreshToken: s.refreshToken }).refresh();
    let loggedOut;
    const session = new Session({
      uri, accessToken: forgeExpired(s.user.id), refreshToken: s.refreshToken,
      onLogout: (type) => { loggedOut = type; },
    });
    const client = createClient({ uri, session });
    const { data, error } = await client.query({ query: ME, errorPolicy: "all" });
    assert.equal(loggedOut, "TOKEN_REVOKED");
    assert.equal(error?.type, "TOKEN_REVOKED");
    assert.equal(data, undefined);
    assert.equal(session.refreshes, 1);
    assert.equal(session.accessToken, null);
  });
});

test("errorPolicy all keeps the partial data beside a field-level FORBIDDEN", async () => {
  const client = createClient({ uri, session: new Session({ uri, accessToken: user.accessToken }) });
  const { data, error } = await client.query({
    query: gql`{ products(first: 2) { edges { node { id name createdBy { id name email } } } } }`,
    errorPolicy: "all",
  });
  assert.ok(CombinedGraphQLErrors.is(error));
  assert.deepEqual(errorTypes(error), ["INSUFFICIENT_ROLE", "INSUFFICIENT_ROLE"]);
  assert.deepEqual(error.errors[0].extensions.details, { requiredRole: "ADMIN" });
  assert.equal(data.products.edges.length, 2);
  for (const { node } of data.products.edges) {
    assert.ok(node.name);
    assert.equal(node.createdBy.name, "Ada Admin");
    assert.equal(node.createdBy.email, null);
  }
});

test("VALIDATION_FAILED maps to form fields, every violation at once, in the user's language", async () => {
  const register = (client) => client.mutate({
    mutation: gql`mutation Register($in: RegisterInput!) { register(input: $in) { accessToken } }`,
    variables: { in: { email: "not-an-email", password: "short", name: "" } },
    errorPolicy: "all",
  });
  const error = await expectError(() => register(createClient({ uri })));
  assert.deepEqual(formErrors(error), {
    email: "must be a valid email address",
    password: "length must be at least 8",
    name: "length must be at least 1",
  });
  const zh = await expectError(() => register(createClient({ uri, headers: { "accept-language": "zh-CN" } })));
  assert.deepEqual(formErrors(zh), {
    email: "必须是有效的电子邮件地址",
    password: "长度不能少于 8",
    name: "长度不能少于 1",
  });
  assert.deepEqual(zh.errors[0].extensions.fields.map((f) => f.rule), error.errors[0].extensions.fields.map((f) => f.rule));
});
