"""Locust user for ``bench/api_bench.py``: one GET, as fast as it is answered.

The endpoint and the token come from the environment (``BENCH_PATH``, ``BENCH_NAME``,
``BENCH_TOKEN``), so one file drives the floor and every API list in turn.
"""

import os

from locust import FastHttpUser, constant, task

PATH = os.environ["BENCH_PATH"]
NAME = os.environ.get("BENCH_NAME", PATH)
HEADERS = {"Authorization": f"Token {os.environ['BENCH_TOKEN']}", "Accept": "application/json"}


class ApiReader(FastHttpUser):
    wait_time = constant(0)

    @task
    def read(self) -> None:
        with self.client.get(PATH, headers=HEADERS, name=NAME, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
