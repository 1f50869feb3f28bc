// The playground at / in headless Chromium, on a machine without internet:
// the page loads GraphiQL and React from cdn.jsdelivr.net (with SRI), and
// this test answers those requests from the same pinned npm packages
// (jsdelivr serves npm files byte for byte, so the SRI check still holds).
// Every other request that leaves 127.0.0.1 is refused.
//
// FAULTLINE_URL, FAULTLINE_DEMO_PASSWORD: the started server (e2e/e2e_test.go).
// CHROMIUM_PATH: the browser (default /usr/bin/chromium). SCREENSHOT_DIR: where
// the screenshot goes (default ./output).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";

import { chromium } from "playwright-core";

const base = process.env.FAULTLINE_URL ?? "http://127.0.0.1:8080";
const password = process.env.FAULTLINE_DEMO_PASSWORD;
const screenshots = process.env.SCREENSHOT_DIR ?? join(import.meta.dirname, "output");
const require = createRequire(import.meta.url);

const types = { ".js": "text/javascript", ".css": "text/css", ".map": "application/json" };

// fromPackage serves https://cdn.jsdelivr.net/npm/<name>@<version>/<file> from
// node_modules, refusing a version other than the one installed.
function fromPackage(url) {
  const m = /^\/npm\/((?:@[^/]+\/)?[^@/]+)@([^/]+)\/(.+)$/.exec(url.pathname);
  if (!m) return null;
  const [, name, version, file] = m;
  const root = dirname(require.resolve(`${name}/package.json`));
  const installed = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
  assert.equal(installed, version, `the page asks for ${name}@${version}; package.json pins ${installed}`);
  const ext = file.slice(file.lastIndexOf("."));
  return { body: readFileSync(join(root, file)), contentType: types[ext] ?? "application/octet-stream" };
}

let browser, page, token, userID;
const served = [];
const refused = [];

before(async () => {
  assert.ok(password, "FAULTLINE_DEMO_PASSWORD is set");
  const res = await fetch(new URL("/query", base), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: `mutation { login(email: "user@faultline.dev", password: ${JSON.stringify(password)}) { accessToken user { id } } }` }),
  });
  const { data } = await res.json();
  token = data.login.accessToken;
  userID = data.login.user.id;

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
      "--no-first-run", "--disable-component-update", "--disable-sync"],
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 800 } });
  await context.route("**/*", async (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === "127.0.0.1" || url.hostname === "localhost") return route.continue();
    if (url.hostname === "cdn.jsdelivr.net") {
      const file = fromPackage(url);
      if (file) {
        served.push(url.pathname);
        return route.fulfill({
          status: 200, body: file.body, contentType: file.contentType,
          headers: { "access-control-allow-origin": "*" },
        });
      }
    }
    refused.push(url.href);
    return route.abort("internetdisconnected");
  });
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
});

test("the playground renders and runs a query with an Authorization header, showing the typed error", async () => {
  const query = "query Mine {\n  me { id email }\n  users(first: 1) { edges { node { id } } }\n}";
  const headers = JSON.stringify({ Authorization: `Bearer ${token}` }, null, 2);
  const url = new URL("/", base);
  url.searchParams.set("query", query);
  url.searchParams.set("headers", headers);

  const consoleErrors = [];
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  await page.goto(url.href);
  await page.locator(".graphiql-container").waitFor({ timeout: 20_000 });
  assert.deepEqual(consoleErrors, [], "the page ran without errors (its SRI checks passed)");
  assert.ok(served.some((p) => p.includes("graphiql@")), "GraphiQL came from the pinned package");

  // GraphiQL introspects the schema; the docs pane can then show ErrorType.
  await page.locator(".graphiql-execute-button").click();
  const response = page.locator(".graphiql-response");
  await response.getByText("INSUFFICIENT_ROLE").first().waitFor({ timeout: 20_000 });
  const text = await response.innerText();

  assert.match(text, /"code": "FORBIDDEN"/);
  assert.match(text, /"type": "INSUFFICIENT_ROLE"/);
  assert.match(text, /"status": 403/);
  assert.match(text, /"requiredRole": "ADMIN"/);
  assert.ok(text.includes(userID), "me resolved: the Authorization header was sent");
  assert.match(text, /"email": "user@faultline\.dev"/);

  mkdirSync(screenshots, { recursive: true });
  const file = join(screenshots, "playground.png");
  await page.screenshot({ path: file, fullPage: true });
  const png = readFileSync(file);
  assert.ok(png.length > 10_000, "a real screenshot");
  console.log(`screenshot: ${file} (${png.length} bytes, sha256 ${createHash("sha256").update(png).digest("hex").slice(0, 12)})`);
  assert.deepEqual(refused.filter((u) => !u.startsWith("data:")), [], "nothing else left the machine");
});
