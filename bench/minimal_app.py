"""The yardstick: the smallest Flask app that returns the same bytes from memory."""

import os
from pathlib import Path

from flask import Flask, Response

BODY = Path(os.environ["BENCH_BODY_FILE"]).read_bytes()
app = Flask(__name__)


@app.get("/")
def same_bytes() -> Response:
    return Response(BODY, content_type="text/html; charset=utf-8")
