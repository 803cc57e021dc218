"""Dask: a LocalCluster of two worker processes gives the single-process numbers for the same
seed (foreground and background Monte Carlo, batch assessment), also when a worker is
killed in the middle of a run."""

from __future__ import annotations

import os
import signal
import time

import numpy as np
import pytest

pytest.importorskip("dask.distributed")

import scenat  # noqa: E402
from scenat.distributed import runs as distributed  # noqa: E402
from scenat.uncertainty import background as background_uncertainty  # noqa: E402
from scenat.uncertainty import montecarlo as uncertainty  # noqa: E402


@pytest.fixture(scope="module")
def client(scenat_home):
    from scenat.brightway.project import ensure_project

    ensure_project()  # build the project once here, not in both workers at once
    with distributed.client_for(workers=2) as dask_client:
        yield dask_client


@pytest.fixture(scope="module")
def case():
    from scenat.paths import examples_dir

    return scenat.read_case(examples_dir() / "bicycle")


def test_scheduler_address_from_argument_or_environment(monkeypatch):
    monkeypatch.delenv(distributed.ENVIRONMENT_VARIABLE, raising=False)
    assert distributed.scheduler_address(None) is None
    assert distributed.scheduler_address("local") is None
    monkeypatch.setenv(distributed.ENVIRONMENT_VARIABLE, "tcp://10.0.0.1:8786")
    assert distributed.scheduler_address(None) == "tcp://10.0.0.1:8786"
    assert distributed.scheduler_address("tcp://h:1") == "tcp://h:1"


@pytest.mark.parametrize("background", [True, False])
def test_monte_carlo_on_dask_equals_the_single_process_run(client, case, background):
    local = uncertainty.monte_carlo(case, iterations=120, seed=11, chunk=30, background=background)
    assert local.background_sampled == background
    seen = []
    remote = distributed.monte_carlo(
        case,
        iterations=120,
        seed=11,
        chunk=30,
        client=client,
        background=background,
        progress=lambda done, total: seen.append((done, total)),
    )
    for ind in local.totals:
        assert np.array_equal(local.totals[ind], remote.totals[ind])
        assert np.array_equal(local.node_values[ind], remote.node_values[ind])
        # the same chunks merge into the same running moments and the same drivers
        assert np.array_equal(local.share_moments[ind].mean, remote.share_moments[ind].mean)
        assert local.drivers(ind).equals(remote.drivers(ind))
    assert remote.deterministic == local.deterministic
    assert remote.statement == local.statement
    assert seen[-1] == (120, 120) and len(seen) == 4


def test_monte_carlo_on_the_threads_scheduler_equals_the_single_process_run(case):
    """A client on an in-process cluster of threads: the chunks run in threads of this
    process, with the same numbers."""
    from dask.distributed import Client, LocalCluster

    local = uncertainty.monte_carlo(case, iterations=60, seed=4, chunk=16)
    with (
        LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as threads,
    ):
        remote = distributed.monte_carlo(case, iterations=60, seed=4, chunk=16, client=threads)
    for ind in local.totals:
        assert np.array_equal(local.totals[ind], remote.totals[ind])


def test_a_killed_worker_changes_nothing(client, case):
    local = uncertainty.monte_carlo(case, iterations=400, seed=5, chunk=20)
    pids = client.run(os.getpid)
    killed: list[int] = []

    def kill_one(done: int, total: int) -> None:
        if killed:
            return
        # the worker with the most work still queued dies, taking its results with it
        processing = client.processing()
        address = max(pids, key=lambda a: len(processing.get(a, ())))
        os.kill(pids[address], signal.SIGKILL)
        killed.append(pids[address])

    remote = distributed.monte_carlo(
        case, iterations=400, seed=5, chunk=20, client=client, progress=kill_one
    )
    assert killed
    for ind in local.totals:
        assert np.array_equal(local.totals[ind], remote.totals[ind])
    # the nanny restarted the worker: two workers again, one with a new process
    deadline = time.time() + 60
    while len(client.scheduler_info()["workers"]) < 2 and time.time() < deadline:
        time.sleep(0.2)
    assert killed[0] not in client.run(os.getpid).values()


def test_background_monte_carlo_on_dask_equals_the_single_process_run(client, case):
    system = background_uncertainty.case_system(
        case, indicators=["gwp100"], default_gsd=1.2, iterations=24, seed=3
    )
    local = background_uncertainty.monte_carlo(system, iterations=24, seed=3, chunk=8)
    remote = distributed.background_monte_carlo(
        case,
        iterations=24,
        seed=3,
        indicators=["gwp100"],
        default_gsd=1.2,
        chunk=8,
        client=client,
    )
    assert np.array_equal(local.totals["gwp100"], remote.totals["gwp100"])
    assert list(local.methods) == list(remote.methods)
    assert remote.deterministic == pytest.approx(local.deterministic, rel=1e-12)


def test_assess_many_equals_assess(client, case, write_case):
    other = scenat.read_case(write_case())
    results = distributed.assess_many([case, other, case], chunk=2, client=client)
    assert [r.case.name for r in results] == [case.name, other.name, case.name]
    for result, source in zip(results, [case, other, case]):
        expected = scenat.assess(source)
        assert result.totals == expected.totals
        assert result.linked is None
        assert result.hotspots("gwp100", "node").equals(expected.hotspots("gwp100", "node"))


def test_assess_many_keeps_few_tasks_out_and_returns_the_cases_given(client, case, write_case):
    # seven cases one per task on a window of 2 x 2 worker threads: every one is assessed
    # once, in order, and carries the case object it was given (not a copy sent back)
    other = scenat.read_case(write_case())
    cases = [case, other] * 3 + [case]
    seen = []
    results = distributed.assess_many(
        cases, chunk=1, client=client, progress=lambda done, total: seen.append((done, total))
    )
    assert [r.case for r in results] == cases
    assert all(r.case is c for r, c in zip(results, cases))
    assert [d for d, _ in seen] == list(range(1, 8)) and {t for _, t in seen} == {7}
    expected = {c.name: scenat.assess(c).totals for c in (case, other)}
    for result, source in zip(results, cases):
        assert result.totals == expected[source.name]
    # nothing of the run is left on the cluster
    assert not [k for k in client.who_has() if str(k).startswith("scenat-assess")]
