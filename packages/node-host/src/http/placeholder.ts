/** The page a host serves when the web app has not been built. */
export const PLACEHOLDER_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Cairn host</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:4em auto;padding:0 1em;color:#222}code{background:#f2f2f2;padding:.1em .3em}</style>
</head>
<body>
<h1>Cairn host</h1>
<p>This host is running and its mesh endpoint is at <code>/mesh</code>, but the web app is not built.</p>
<p>Build it with <code>npm run build</code> and restart the host, or use the <code>cairn</code> CLI:
<code>cairn put FILE</code>, <code>cairn get LINK</code>.</p>
</body>
</html>
`
