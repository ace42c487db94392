"""The dask path gives row-for-row the single-process answers, on a real 2-process cluster."""

import pytest

dd = pytest.importorskip("dask.dataframe")
pd = pytest.importorskip("pandas")
distributed = pytest.importorskip("distributed")

import techdomain.dask as tdd  # noqa: E402

from .conftest import TINY_TEXTS  # noqa: E402


@pytest.mark.slow
def test_local_cluster_matches_single_process(model):
    texts = (TINY_TEXTS + ["", None, "Quantum key distribution over metropolitan fibre"]) * 7
    frame = pd.DataFrame({"id": range(len(texts)), "abstract": texts})
    expected = tdd.classify_partition(frame, model, "abstract")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster):
            ddf = dd.from_pandas(frame, npartitions=5)
            got = tdd.classify_dataframe(ddf, "abstract", model=model).compute()
    assert ddf.npartitions == 5
    got = got.sort_index()
    added = [c for c in expected.columns if c not in frame.columns]
    pd.testing.assert_frame_equal(got[added], expected[added])
    assert got["id"].tolist() == frame["id"].tolist()  # dask may retype the input text column; values stay
    assert got["domain_id"].iloc[0] == 12 and got["status"].iloc[len(TINY_TEXTS)] == "empty"
    assert got["domain_id"].isna().sum() == 2 * 7  # "" and None, seven times each: no domain, like the CLI
