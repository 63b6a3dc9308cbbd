"""The HTML a learner sees when following an upload link."""

from __future__ import annotations

from html import escape

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ACTS badge application: upload your certificate</title>
<style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5}}
.note{{color:#555}} .ok{{color:#0a6b2b}} .error{{color:#a40000}}</style></head>
<body><h1>ACTS badge application</h1>{body}</body></html>"""


def upload_form(action: str) -> str:
    return _PAGE.format(
        body=f"""
<p>Upload your certificate or proof that you completed the qualifying training.</p>
<p class="note">PDF, PNG or JPEG, up to 10 MB. This link works once.</p>
<form method="post" enctype="multipart/form-data" action="{escape(action)}">
  <input type="file" name="file" accept=".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg" required>
  <button type="submit">Upload</button>
</form>"""
    )


def uploaded(summary: str) -> str:
    return _PAGE.format(
        body=f"""
<p class="ok">Thank you: we received {escape(summary)}.</p>
<p>Go back to the chat and say <strong>done</strong> to continue your application.</p>"""
    )


def problem(message: str) -> str:
    return _PAGE.format(body=f'<p class="error">{escape(message)}</p>')
