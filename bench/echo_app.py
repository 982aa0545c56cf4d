"""A bare Flask app that echoes its JSON input: the ceiling for the HTTP benchmark."""

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/analyze")
def echo():
    return jsonify(request.get_json())
