/** The page served at `/` (the full web chart arrives with the web client). */
export function renderHomePage(): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>capflow</title></head>
<body>
<h1>capflow</h1>
<p>LongPort-compatible capital-flow service. Point the official SDK at this server:
<code>LONGPORT_HTTP_URL=http://HOST:PORT</code> and <code>LONGPORT_QUOTE_WS_URL=ws://HOST:PORT/v2</code>.</p>
</body>
</html>
`;
}
