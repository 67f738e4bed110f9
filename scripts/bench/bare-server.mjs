// The floor of `serve`: a bare node:http server that reads a JSON body, parses it and answers
// 200 {"ok":true}, as little as a JSON endpoint can do. Run as a child process, like `serve`:
//   node bare-server.mjs      (prints "listening on http://127.0.0.1:PORT" to stderr)
import { createServer } from 'node:http';

const OK = JSON.stringify({ ok: true });
const server = createServer((req, res) => {
  /** @type {Buffer[]} */
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    let status = 200;
    try {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      status = 400;
    }
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(OK) });
    res.end(OK);
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stderr.write(`listening on http://127.0.0.1:${port}\n`);
});
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
  });
}
