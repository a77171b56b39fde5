from celery import shared_task
from elasticsearch import exceptions as es_exceptions

from search import services


@shared_task(
    autoretry_for=(es_exceptions.ConnectionError, es_exceptions.TransportError),
    retry_backoff=True,
    max_retries=8,
)
def index_challenge(page_id: int) -> bool:
    return services.index_challenge(page_id)


@shared_task(
    autoretry_for=(es_exceptions.ConnectionError, es_exceptions.TransportError),
    retry_backoff=True,
    max_retries=8,
)
def remove_challenge(page_id: int) -> bool:
    return services.remove_challenge(page_id)
