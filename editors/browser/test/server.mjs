// A local web server for the tests: the case-note pages in test/pages and
// the rich-text editors from node_modules, on 127.0.0.1 only. form.html is
// served with a strict Content-Security-Policy, as records systems often are.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MODULES = path.resolve(HERE, "../node_modules");
const ROOTS = {
  "/pages/": path.join(HERE, "pages"),
  "/vendor/tinymce/": path.join(MODULES, "tinymce"),
  "/vendor/ckeditor5/": path.join(MODULES, "ckeditor5/dist/browser"),
  "/vendor/quill/": path.join(MODULES, "quill/dist"),
};
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".woff2": "font/woff2", ".json": "application/json" };

export async function serve() {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    for (const [prefix, dir] of Object.entries(ROOTS)) {
      if (!url.pathname.startsWith(prefix)) continue;
      const file = path.join(dir, decodeURIComponent(url.pathname.slice(prefix.length)));
      if (!file.startsWith(dir + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) break;
      const headers = { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" };
      if (url.pathname === "/pages/form.html" || url.pathname === "/pages/frame.html") {
        headers["content-security-policy"] = "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'self'";
      }
      res.writeHead(200, headers);
      fs.createReadStream(file).pipe(res);
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("not found");
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}
