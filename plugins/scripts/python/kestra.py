"""Saker's `kestra` module for Python scripts: outputs, metrics and log lines sent to the
orchestrator as `::{...}::` lines on stdout, the protocol Kestra's own helper speaks.

    from kestra import Kestra
    Kestra.outputs({"rows": 3})
    Kestra.counter("processed", 3, {"table": "orders"})
    Kestra.timer("load", 1.25)            # seconds, or a callable to time
    Kestra.logger().info("done")
"""
import json
import logging
import sys
import time

__all__ = ["Kestra"]


def _json_default(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


class _ProtocolHandler(logging.Handler):
    def emit(self, record):
        try:
            Kestra._send({"logs": [{"level": _level(record.levelno), "message": self.format(record)}]})
        except Exception:  # never break the script because a log line could not be sent
            self.handleError(record)


def _level(levelno):
    if levelno >= logging.ERROR:
        return "ERROR"
    if levelno >= logging.WARNING:
        return "WARN"
    if levelno >= logging.INFO:
        return "INFO"
    if levelno >= logging.DEBUG:
        return "DEBUG"
    return "TRACE"


class Kestra:
    _logger = None

    @staticmethod
    def format(message):
        text = json.dumps(message, default=_json_default, ensure_ascii=False)
        return "::" + text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\u0085", "\\u0085") + "::"

    @staticmethod
    def _send(message):
        sys.stdout.write(Kestra.format(message) + "\n")
        sys.stdout.flush()

    @staticmethod
    def _metrics(name, kind, value, tags=None):
        Kestra._send({"metrics": [{"name": name, "type": kind, "value": value, "tags": tags or {}}]})

    @staticmethod
    def outputs(outputs):
        Kestra._send({"outputs": outputs})

    @staticmethod
    def counter(name, value, tags=None):
        Kestra._metrics(name, "counter", value, tags)

    @staticmethod
    def timer(name, duration, tags=None):
        if callable(duration):
            started = time.perf_counter()
            duration()
            duration = time.perf_counter() - started
        Kestra._metrics(name, "timer", duration, tags)

    @staticmethod
    def logger():
        if Kestra._logger is None:
            logger = logging.getLogger("kestra")
            logger.setLevel(logging.DEBUG)
            logger.propagate = False
            logger.addHandler(_ProtocolHandler())
            Kestra._logger = logger
        return Kestra._logger
