"""Running the ledger passes on Dask (``dualcarbon run --engine dask [--scheduler ADDRESS]``).

The same kernel as on one machine: each Parquet file is a partition; a Dask worker sums its
partition into partial groups (``Partition.groups``) and later shares group CO2e out to its
facilities (``Partition.facility_lines``); the client combines the partials, validates the groups
and runs ``engine.compute`` on them. Only groups and facility sums cross the network, never
activity rows, so every worker must be able to read the project's Parquet files at the same path
(a shared file system or the same mount on every node).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager


@contextmanager
def dask_mapper(scheduler: str | None = None, workers: int = 2) -> Iterator[Callable]:
    """A ``map(function, items)`` that runs on a Dask cluster: the one at ``scheduler``
    (``tcp://host:8786``), or a local cluster of ``workers`` processes when none is given."""
    from distributed import Client, LocalCluster

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)

    def mapper(function: Callable, items: Iterable) -> list:
        return client.gather(client.map(function, list(items), pure=False))

    try:
        yield mapper
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
