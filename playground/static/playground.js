// Starts GraphiQL in #graphiql. It is a served file, not an inline script,
// because the page's Content-Security-Policy runs scripts from 'self' only.
(function () {
  "use strict";

  // GraphiQL's dialogs lock scrolling with a <style> element that carries
  // this nonce; the page's CSP admits styles with it and no other inline style.
  window.__webpack_nonce__ = document.currentScript.nonce;

  var root = document.getElementById("graphiql");
  var url = new URL(root.dataset.endpoint, location.href);
  var subscriptionUrl = new URL(url);
  subscriptionUrl.protocol = url.protocol === "https:" ? "wss:" : "ws:";

  var defaultQuery = [
    "# faultline's GraphQL playground. Every error comes",
    "# back typed: extensions carry code, type, status",
    "# and requestId.",
    "#",
    "# To sign in, run Login with your email and password",
    "# (in development the server's log prints the demo",
    "# accounts' password), copy data.login.accessToken",
    "# and put it in the Headers tab below:",
    "#",
    '#   {"Authorization": "Bearer <accessToken from login>"}',
    "#",
    "# GraphiQL keeps the headers in this browser's local",
    "# storage. Never put a token in a URL: links end up",
    "# in browser history and proxy logs.",
    "",
    "mutation Login {",
    '  login(email: "user@faultline.dev", password: "") {',
    "    accessToken",
    "    expiresIn",
    "    user { id email role }",
    "  }",
    "}",
    "",
    "query Me {",
    "  me { id email role }",
    "}",
    "",
  ].join("\n");

  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: GraphiQL.createFetcher({ url: url.href, subscriptionUrl: subscriptionUrl.href }),
      defaultQuery: defaultQuery,
      defaultEditorToolsVisibility: "headers",
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
      inputValueDeprecation: true,
    }),
  );
})();
