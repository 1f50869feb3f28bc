// serve answers GET with the files of dir on addr (host:port): the app's
// own origin, a plain static server as a CDN would be.
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";

const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
};

export function serve(dir, addr) {
  const [host, port] = addr.split(":");
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    const file = join(dir, normalize(path === "/" ? "/index.html" : path));
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(Number(port), host, () => resolve(server));
  });
}
