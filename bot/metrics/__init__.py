"""Prometheus metrics: the hooks the channels call (`GET /metrics` is in `endpoint`)."""

from bot.metrics.series import delivery_status, inbound, sent, turn_finished

__all__ = ["delivery_status", "inbound", "sent", "turn_finished"]
