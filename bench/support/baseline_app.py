"""The baseline for bench/registration.py: the smallest Flask JSON endpoint, served the same way."""
from flask import Flask, jsonify

app = Flask(__name__)


@app.post("/ping")
def ping():
    return jsonify({"status": "ok"}), 202
