// The playground at / in headless Chromium with no internet: every request
// that leaves 127.0.0.1 is refused, so GraphiQL and React must come from
// faultline itself. The Authorization header is typed into GraphiQL's headers
// editor, as a person would, and never appears in a URL.
//
// FAULTLINE_URL, FAULTLINE_DEMO_PASSWORD: the started server (e2e/e2e_test.go).
// CHROMIUM_PATH: the browser (default /usr/bin/chromium). SCREENSHOT_DIR: where
// the screenshot goes (default ./output).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { chromium } from "playwright-core";

const base = new URL(process.env.FAULTLINE_URL ?? "http://127.0.0.1:8080");
const password = process.env.FAULTLINE_DEMO_PASSWORD;
const screenshots = process.env.SCREENSHOT_DIR ?? join(import.meta.dirname, "output");

let browser, page, token, userID;
const requested = []; // every URL the page asked for
const refused = []; // those that left 127.0.0.1
const errors = []; // console errors, uncaught exceptions and CSP violations

before(async () => {
  assert.ok(password, "FAULTLINE_DEMO_PASSWORD is set");
  assert.equal(base.hostname, "127.0.0.1", "the server under test is on 127.0.0.1");
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
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === "127.0.0.1") return route.continue();
    refused.push(url.href);
    return route.abort("internetdisconnected");
  });
  // A CSP violation is an error of the page too (Chromium also logs it).
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(`securitypolicyviolation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
    });
  });
  page = await context.newPage();
  page.on("request", (r) => requested.push(r.url()));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
});

after(async () => {
  await browser?.close();
});

// editorValue returns the text in one of GraphiQL's editors.
function editorValue(selector) {
  return page.locator(`${selector} .CodeMirror`).evaluate((el) => el.CodeMirror.getValue());
}

// typeInto clicks into an editor, clears it and types text key by key.
async function typeInto(selector, text) {
  await page.locator(`${selector} .CodeMirror`).click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.press("Backspace");
  await page.keyboard.type(text);
}

test("the playground runs offline, with the token typed into the Headers tab, and shows the typed error", async () => {
  const res = await page.goto(new URL("/", base).href);
  assert.equal(res.status(), 200);
  assert.match(res.headers()["content-security-policy"], /default-src 'none'/);
  await page.locator(".graphiql-container").waitFor({ timeout: 20_000 });
  // The schema arrives by introspection: the docs pane lists the error types.
  await page.getByRole("button", { name: "Documentation Explorer" }).click();
  await page.locator(".graphiql-doc-explorer").getByText("Query", { exact: true }).first().waitFor({ timeout: 20_000 });

  // The default query says where the token goes; the Headers tab is open.
  const intro = await editorValue(".graphiql-query-editor");
  assert.match(intro, /Headers tab/);
  assert.match(intro, /"Authorization": "Bearer <accessToken from login>"/);
  assert.match(intro, /mutation Login/);

  // A dialog makes GraphiQL add its own <style>: the CSP nonce admits it.
  await page.getByRole("button", { name: "Open settings dialog" }).click();
  await page.getByRole("dialog").waitFor();
  await page.keyboard.press("Escape");
  await page.getByRole("dialog").waitFor({ state: "hidden" });

  const headers = ".graphiql-editor-tool .graphiql-editor:not(.hidden)";
  await page.locator(".graphiql-editor-tools").getByRole("button", { name: "Headers", exact: true }).click();
  await typeInto(headers, `{"Authorization": "Bearer ${token}"}`);
  assert.deepEqual(JSON.parse(await editorValue(headers)), { Authorization: `Bearer ${token}` },
    "the headers editor holds what was typed");
  await typeInto(".graphiql-query-editor", "query Mine { me { id email } users(first: 1) { edges { node { id } } } }");
  await page.keyboard.press("Escape"); // closes the autocompletion popup, if any

  // GraphiQL reads the operations after a pause: the tab takes the name.
  await page.locator(".graphiql-tab-active").getByText("Mine", { exact: true }).waitFor();
  await page.getByRole("button", { name: /^Prettify query/ }).click();
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

  // GraphiQL keeps the headers in local storage: a reload brings them back.
  assert.equal(page.url(), new URL("/", base).href, "the query and headers stay out of the URL");
  await page.reload();
  await page.locator(".graphiql-editor-tools").getByRole("button", { name: "Headers", exact: true }).click();
  assert.ok((await editorValue(headers)).includes(token), "the headers survive a reload");
  assert.equal(page.url(), new URL("/", base).href);
  assert.ok(requested.length > 0);
  for (const url of requested) {
    assert.ok(url.startsWith(base.origin + "/") || url.startsWith("data:"), `same origin: ${url}`);
    assert.ok(!url.includes(token), `no token in ${url}`);
  }
  assert.ok(requested.some((u) => new URL(u).pathname.endsWith("/graphiql.min.js")), "GraphiQL came from faultline");
  assert.deepEqual(errors, [], "no console errors, no CSP violations");
  assert.deepEqual(refused, [], "nothing left the machine");
});
