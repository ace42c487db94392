import json
import pickle
import zipfile

import numpy as np
import pytest

import techdomain
from techdomain import ModelFormatError, UnsafeModelError
from techdomain.features import REGISTER_WORDS
from techdomain.modelfile import FORMAT_VERSION, read_header

from .conftest import TINY_LABELS, TINY_TEXTS


def test_round_trip(tiny_model, tmp_path):
    path = tmp_path / "m.npz"
    tiny_model.save(path)
    back = techdomain.load(path)
    texts = ["量子ビット", "ロケット", "史料", "", "史料の研究と分析"]
    np.testing.assert_allclose(back.predict_proba(texts), tiny_model.predict_proba(texts), rtol=1e-5)
    assert back.predict(texts).tolist() == tiny_model.predict(texts).tolist()
    assert back.get_params() == tiny_model.get_params() | {"n_jobs": None}
    header = read_header(path)
    assert header["format_version"] == 4 and header["params"]["method"] == "complement_nb"
    assert {"scikit-learn", "numpy", "fugashi", "unidic-lite"} <= set(header["versions"])


def test_a_list_of_stop_words_round_trips(tmp_path):
    for stop, expected in ((("史料", "調査"), {"史料", "調査"}), ("register", REGISTER_WORDS)):
        m = techdomain.DomainClassifier(calibrate=False, stop_words=stop).fit(TINY_TEXTS, TINY_LABELS)
        m.save(tmp_path / "m.npz")
        back = techdomain.load(tmp_path / "m.npz")
        assert back.features_.stop_words == expected and not expected & set(back.features_.index)
        texts = ["中世史料の調査", "量子ビットの研究"]
        np.testing.assert_allclose(back.predict_proba(texts), m.predict_proba(texts), rtol=1e-5)


def test_files_from_before_stop_words_keep_every_word(tiny_model, tmp_path):
    # Model files written before the stop_words parameter have neither the parameter nor the list.
    path = tmp_path / "m.npz"
    tiny_model.save(path)
    _rewrite(path, path, header=lambda h: [h["params"].pop("stop_words"), h.pop("stop_words")])
    back = techdomain.load(path)
    assert back.stop_words is None and back.features_.stop_words == frozenset()


def test_version_1_files_with_plain_coefficients_still_load(tiny_model, tmp_path):
    path = tmp_path / "m.npz"
    tiny_model.save(path)

    def plain_coefficients(arrays):
        del arrays["coef_bytes"]
        arrays["coef"] = tiny_model.coef_.astype(np.float32)

    _rewrite(path, path, header=lambda h: h.update(format_version=1), arrays=plain_coefficients)
    texts = ["量子ビット", "ロケット", "史料の研究"]
    np.testing.assert_array_equal(techdomain.load(path).predict_proba(texts), tiny_model.predict_proba(texts))


def test_coefficients_come_back_bit_for_bit(tiny_model, tmp_path):
    tiny_model.save(tmp_path / "m.npz")
    back = techdomain.load(tmp_path / "m.npz")
    np.testing.assert_array_equal(back.coef_, tiny_model.coef_)
    assert back.coef_.dtype == np.float32


def test_mangled_coefficient_bytes_are_a_format_error(tiny_model, tmp_path):
    tiny_model.save(tmp_path / "m.npz")
    _rewrite(tmp_path / "m.npz", tmp_path / "bad.npz", arrays=lambda a: a.update(coef_bytes=a["coef_bytes"][:, :-3]))
    with pytest.raises(ModelFormatError, match="damaged"):
        techdomain.load(tmp_path / "bad.npz")


def test_model_file_holds_no_pickles(tiny_model, tmp_path):
    path = tmp_path / "m.npz"
    tiny_model.save(path)
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            head = z.read(name)[:10]
            assert head.startswith(b"\x93NUMPY"), name
            assert np.lib.format.read_array(z.open(name), allow_pickle=False).dtype != object


class _Payload:
    def __reduce__(self):
        return (exec, ("open(__import__('os').environ['TD_CANARY'], 'w').write('ran')",))


@pytest.mark.parametrize("writer", ["pickle", "joblib"])
def test_pickle_is_refused_and_its_payload_never_runs(tmp_path, monkeypatch, writer):
    canary = tmp_path / "canary"
    monkeypatch.setenv("TD_CANARY", str(canary))
    path = tmp_path / "evil.pkl"
    if writer == "pickle":
        path.write_bytes(pickle.dumps(_Payload()))
    else:
        import joblib

        joblib.dump(_Payload(), path, compress=3)
    with pytest.raises(UnsafeModelError, match="allow_pickle=True"):
        techdomain.load(path)
    assert not canary.exists()


def test_pickle_loads_when_the_caller_opts_in(tiny_model, tmp_path):
    import joblib

    path = tmp_path / "mine.joblib"
    joblib.dump(tiny_model, path)
    assert techdomain.load(path, allow_pickle=True).predict(["量子ビット"]).tolist() == [12]


def test_truncated_file(tiny_model, tmp_path):
    path = tmp_path / "m.npz"
    tiny_model.save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFormatError):
        techdomain.load(path)


def _rewrite(src, dst, header=None, arrays=None):
    """Copy a model file with its header and/or arrays changed in place by the given functions."""
    with np.load(src, allow_pickle=False) as z:
        content = dict(z)
    head = json.loads(bytes(content["header"]))
    if header:
        header(head)
    if arrays:
        arrays(content)
    content["header"] = np.frombuffer(json.dumps(head).encode(), dtype=np.uint8)
    np.savez_compressed(dst, **content)


def test_future_format_version(tiny_model, tmp_path):
    tiny_model.save(tmp_path / "m.npz")
    _rewrite(tmp_path / "m.npz", tmp_path / "f.npz", lambda h: h.update(format_version=FORMAT_VERSION + 1))
    with pytest.raises(ModelFormatError, match="format version"):
        techdomain.load(tmp_path / "f.npz")


def test_other_taxonomy(tiny_model, tmp_path):
    tiny_model.save(tmp_path / "m.npz")
    _rewrite(tmp_path / "m.npz", tmp_path / "t.npz", lambda h: h.update(taxonomy=h["taxonomy"][:15]))
    with pytest.raises(ModelFormatError, match="another domain list"):
        techdomain.load(tmp_path / "t.npz")


def test_inconsistent_arrays(tiny_model, tmp_path):
    tiny_model.save(tmp_path / "m.npz")
    _rewrite(tmp_path / "m.npz", tmp_path / "s.npz", lambda h: h.update(all_classes=h["all_classes"][:-1]))
    with pytest.raises(ModelFormatError, match="inconsistent"):
        techdomain.load(tmp_path / "s.npz")


@pytest.mark.parametrize("content", [b"", b"hello world", b"PK\x03\x04broken"])
def test_garbage_files(tmp_path, content):
    path = tmp_path / "g.npz"
    path.write_bytes(content)
    with pytest.raises(ModelFormatError):
        techdomain.load(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        techdomain.load(tmp_path / "nope.npz")


def test_default_model_loads(model):
    assert model.classes_.tolist() == list(range(1, 17))
    assert model.all_classes_.tolist() == list(range(0, 17))
    assert model.predict(["超伝導量子ビットを用いた誤り訂正符号の実証"]).tolist() == [12]
    np.testing.assert_allclose(model.predict_proba(["量子", "船"]).sum(axis=1), 1.0)


def test_a_model_with_character_ngrams_round_trips(tmp_path):
    texts = TINY_TEXTS + ["量子もつれ光源", "衛星測位の補強"]
    m = techdomain.DomainClassifier(method="logistic", secondary_evidence=None, calibrate=False, chars=4, char_min_df=1)
    m.fit(texts, TINY_LABELS + [12, 16])
    m.save(tmp_path / "c.npz")
    back = techdomain.load(tmp_path / "c.npz")
    header = read_header(tmp_path / "c.npz")
    assert header["format_version"] == 3 and header["chars"] == [2, 4]  # no method params: a version-3 reader reads it
    assert not {"method", "secondary_evidence"} & set(header["params"])
    assert back.get_params() == m.get_params() | {"n_jobs": None}
    np.testing.assert_array_equal(back.chars_.keys, m.chars_.keys)
    probe = ["量子もつれ", "衛星の測位", "写本", "", "Quantum"]
    np.testing.assert_allclose(back.predict_proba(probe), m.predict_proba(probe), rtol=1e-5)
    assert back.explain("量子もつれ光源の開発") == m.explain("量子もつれ光源の開発")


def test_a_character_model_with_a_missing_ngram_array_is_refused(tmp_path):
    m = techdomain.DomainClassifier(calibrate=False, chars=2, char_min_df=1).fit(TINY_TEXTS, TINY_LABELS)
    m.save(tmp_path / "c.npz")
    _rewrite(tmp_path / "c.npz", tmp_path / "d.npz", arrays=lambda a: a.pop("char_keys"))
    with pytest.raises(ModelFormatError, match="damaged"):
        techdomain.load(tmp_path / "d.npz")


def test_a_naive_bayes_model_round_trips_as_version_4(tmp_path):
    m = techdomain.DomainClassifier(method="complement_nb", alpha=0.3, calibrate=False).fit(TINY_TEXTS, TINY_LABELS)
    m.save(tmp_path / "nb.npz")
    header = read_header(tmp_path / "nb.npz")
    assert header["format_version"] == 4  # label_reliability 1: a version-4 reader reads it
    assert header["params"]["method"] == "complement_nb" and header["params"]["alpha"] == 0.3
    assert "label_reliability" not in header["params"]
    back = techdomain.load(tmp_path / "nb.npz")
    assert back.get_params() == m.get_params() | {"n_jobs": None}
    probe = ["量子ビット", "衛星の姿勢", "写本", ""]
    np.testing.assert_allclose(back.predict_proba(probe), m.predict_proba(probe), rtol=1e-6)


def test_a_logistic_model_is_written_without_the_method_parameters(tmp_path):
    m = techdomain.DomainClassifier(method="logistic", secondary_evidence=None, calibrate=False).fit(TINY_TEXTS, TINY_LABELS)
    m.save(tmp_path / "lr.npz")
    header = read_header(tmp_path / "lr.npz")
    # A words-only logistic model stays readable by a techdomain from before versions 3 and 4.
    assert header["format_version"] == 2 and not {"method", "alpha", "secondary_evidence"} & set(header["params"])
    # ... and loads as it was made: logistic, second domains by probability alone.
    back = techdomain.load(tmp_path / "lr.npz")
    assert back.method == "logistic" and back.secondary_evidence is None
    # With the evidence rule on, the file needs version 4.
    m.set_params(secondary_evidence=0.4).save(tmp_path / "lr4.npz")
    assert read_header(tmp_path / "lr4.npz")["format_version"] == 4
    assert techdomain.load(tmp_path / "lr4.npz").secondary_evidence == 0.4


def test_label_reliability_round_trips_as_version_5(tmp_path):
    m = techdomain.DomainClassifier(label_reliability=0.98, calibrate=False).fit(TINY_TEXTS, TINY_LABELS)
    m.save(tmp_path / "r.npz")
    header = read_header(tmp_path / "r.npz")
    assert header["format_version"] == FORMAT_VERSION == 5 and header["params"]["label_reliability"] == 0.98
    back = techdomain.load(tmp_path / "r.npz")
    assert back.label_reliability == 0.98
    probe = ["量子ビット", "衛星の姿勢", "写本", ""]
    np.testing.assert_allclose(back.predict_proba(probe), m.predict_proba(probe), rtol=1e-6)
