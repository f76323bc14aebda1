"""What an operator watches, as Prometheus metrics: requests per route and status, their latency,
cache hits, where reads went, the standby's lag, the task queue and import durations.

Under gunicorn each worker is a process: with PROMETHEUS_MULTIPROC_DIR set (the cluster sets it
per app server) every worker writes its samples there and /metrics adds them up.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from core import redis_client

requests = Counter("tradejournal_http_requests_total", "Requests answered", ["route", "method", "status"])
latency = Histogram(
    "tradejournal_http_request_duration_seconds", "Time to answer a request", ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20),
)  # fmt: skip
cache_lookups = Counter("tradejournal_cache_lookups_total", "Cached results looked up", ["result"])
reads_routed = Counter(
    "tradejournal_db_reads_routed_total", "Requests whose journal reads went to a database", ["database"]
)
queries = Counter("tradejournal_db_queries_total", "Statements run, per database alias", ["database"])
standby_lag = Gauge("tradejournal_standby_lag_seconds", "The standby's replay lag (-1: not serving reads)",
                    multiprocess_mode="max")  # fmt: skip
import_duration = Histogram(
    "tradejournal_import_duration_seconds", "Time to apply an import", ["status"],
    buckets=(0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
)  # fmt: skip


class QueueDepth:
    """Tasks waiting in RQ's queues, read from Redis at each scrape."""

    def describe(self) -> list:
        return []  # nothing to read until a scrape (and no settings before Django is set up)

    def collect(self):
        family = GaugeMetricFamily("tradejournal_task_queue_depth", "Tasks waiting to run", labels=["queue"])
        if settings.REDIS_URL:
            for queue in settings.RQ_QUEUES:
                depth = redis_client.on_redis(lambda client, q=queue: client.llen(f"rq:queue:{q}"))
                if depth is not None:
                    family.add_metric([queue], depth)
        yield family


def count_queries(execute, sql, params, many, context):
    """An execute wrapper counting statements per database alias."""
    queries.labels(database=context["connection"].alias).inc()
    return execute(sql, params, many, context)


def install_query_counter(sender, connection, **kwargs) -> None:
    """`connection_created`'s receiver: each connection wrapper counts its statements (once)."""
    if count_queries not in connection.execute_wrappers:
        connection.execute_wrappers.append(count_queries)


@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    """The samples of every worker of this app server (one process: its own), in Prometheus' text format."""
    registry = CollectorRegistry()
    if settings.PROMETHEUS_MULTIPROC_DIR:
        multiprocess.MultiProcessCollector(registry)
        registry.register(QueueDepth())
    else:
        registry = REGISTRY
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


REGISTRY.register(QueueDepth())
