"""Pruebas unitarias de `helpers` (sin red: las descargas usan file:// o un puerto cerrado)."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import re
import subprocess
import sys
import threading
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import helpers  # noqa: E402
from helpers import data  # noqa: E402

# --- datos -------------------------------------------------------------------------

CLOSED_PORT_URL = "http://127.0.0.1:9/no-existe.bin"  # conexión rechazada al instante


def _remote(tmp_path, content: bytes, urls: tuple[str, ...]) -> data.RemoteFile:
    return data.RemoteFile("sub/archivo.bin", urls, hashlib.sha256(content).hexdigest())


def test_download_from_url_verifies_and_caches(tmp_path):
    content = b"datos de prueba\n" * 100
    source = tmp_path / "origen.bin"
    source.write_bytes(content)
    remote = _remote(tmp_path, content, (CLOSED_PORT_URL, source.as_uri()))
    root = tmp_path / "cache"
    path = data.download(remote, root)
    assert path == root / "sub" / "archivo.bin"
    assert path.read_bytes() == content
    source.unlink()  # la segunda vez se usa la caché, sin descargar
    assert data.download(remote, root).read_bytes() == content


def test_missing_file_without_network_gives_spanish_error(tmp_path):
    remote = _remote(tmp_path, b"x", (CLOSED_PORT_URL,))
    with pytest.raises(data.DataUnavailableError) as info:
        data.download(remote, tmp_path)
    message = str(info.value)
    assert "Falta el archivo de datos" in message
    assert str(tmp_path / "sub" / "archivo.bin") in message
    assert CLOSED_PORT_URL in message
    assert data.DATA_ENV in message


def test_bad_checksum_gives_spanish_error(tmp_path):
    remote = _remote(tmp_path, b"contenido correcto", (CLOSED_PORT_URL,))
    path = tmp_path / remote.relpath
    path.parent.mkdir(parents=True)
    path.write_bytes(b"contenido alterado")
    with pytest.raises(data.DataUnavailableError, match="SHA-256 .* no coincide") as info:
        data.download(remote, tmp_path)
    assert CLOSED_PORT_URL in str(info.value) and data.DATA_ENV in str(info.value)


def test_corrupt_first_mirror_falls_back_to_the_next(tmp_path):
    content = b"contenido canonico\n" * 50
    bad, good = tmp_path / "malo.bin", tmp_path / "bueno.bin"
    bad.write_bytes(b"contenido alterado\n" * 50)
    good.write_bytes(content)
    remote = _remote(tmp_path, content, (bad.as_uri(), good.as_uri()))
    root = tmp_path / "cache"
    path = data.download(remote, root)
    assert path.read_bytes() == content
    assert sorted(p.name for p in path.parent.iterdir()) == ["archivo.bin"]  # sin temporales


def _leftovers(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_truncated_file_leaves_nothing_in_the_cache(tmp_path):
    content = b"0123456789" * 1000
    short = tmp_path / "cortado.bin"
    short.write_bytes(content[:4000])
    remote = _remote(tmp_path, content, (short.as_uri(),))
    root = tmp_path / "cache"
    with pytest.raises(data.DataUnavailableError) as info:
        data.download(remote, root)
    message = str(info.value)
    assert "Falta el archivo de datos" in message and "no se pudo descargar" in message
    assert f"{short.as_uri()}: la suma SHA-256 no coincide" in message and data.DATA_ENV in message
    assert _leftovers(root) == []


class _TruncatingHandler(http.server.BaseHTTPRequestHandler):
    """Anuncia 10 000 bytes, envía 4 000 y corta la conexión: una descarga interrumpida."""

    def do_GET(self):  # noqa: N802  (nombre que exige http.server)
        self.send_response(200)
        self.send_header("Content-Length", "10000")
        self.end_headers()
        self.wfile.write(b"0123456789" * 400)
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, *args):
        pass


def test_interrupted_transfer_leaves_nothing_in_the_cache(tmp_path):
    server = http.server.HTTPServer(("127.0.0.1", 0), _TruncatingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/archivo.bin"
    try:
        remote = _remote(tmp_path, b"0123456789" * 1000, (url,))
        root = tmp_path / "cache"
        with pytest.raises(data.DataUnavailableError, match="descarga incompleta: 4000 de 10000 bytes"):
            data.download(remote, root)
        assert _leftovers(root) == []
    finally:
        server.shutdown()
        server.server_close()


def test_bad_cached_file_is_downloaded_again(tmp_path):
    content = b"contenido correcto"
    source = tmp_path / "origen.bin"
    source.write_bytes(content)
    remote = _remote(tmp_path, content, (source.as_uri(),))
    root = tmp_path / "cache"
    (root / "sub").mkdir(parents=True)
    (root / remote.relpath).write_bytes(b"contenido alterado")
    assert data.download(remote, root).read_bytes() == content


@pytest.mark.parametrize(
    "text, missing",
    [
        ("cabecera\nEn un lugar de la Mancha\n*** END OF THE PROJECT GUTENBERG EBOOK ***\n", "'*** START OF'"),
        ("*** START OF THE PROJECT GUTENBERG EBOOK ***\nEn un lugar de la Mancha\n", "'*** END OF'"),
        ("En un lugar de la Mancha\n", "'*** START OF' ni la marca '*** END OF'"),
    ],
)
def test_quijote_without_gutenberg_markers_gives_clear_error(tmp_path, monkeypatch, text, missing):
    content = text.encode("utf-8")
    monkeypatch.setattr(data, "QUIJOTE", _remote(tmp_path, content, (CLOSED_PORT_URL,)))
    path = tmp_path / data.QUIJOTE.relpath
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    with pytest.raises(data.DataUnavailableError) as info:
        helpers.quijote_text(tmp_path)
    message = str(info.value)
    assert f"no tiene la marca {missing} del Proyecto Gutenberg" in message
    assert str(path) in message and data.DATA_ENV in message


def test_data_dir_follows_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(data.DATA_ENV, str(tmp_path))
    assert data.data_dir() == tmp_path
    monkeypatch.delenv(data.DATA_ENV)
    assert data.data_dir().name == "genmod"


def _write_idx_gz(path, array: np.ndarray) -> None:
    header = bytes([0, 0, 8, array.ndim]) + b"".join(n.to_bytes(4, "big") for n in array.shape)
    with gzip.open(path, "wb") as fh:
        fh.write(header + array.tobytes())


def test_read_mnist_test_with_torchvision_roundtrip(tmp_path):
    images = np.arange(3 * 4 * 5, dtype=np.uint8).reshape(3, 4, 5)
    labels = np.array([7, 0, 9], dtype=np.uint8)
    _write_idx_gz(tmp_path / "t10k-images-idx3-ubyte.gz", images)
    _write_idx_gz(tmp_path / "t10k-labels-idx1-ubyte.gz", labels)
    before = sorted(p.name for p in tmp_path.iterdir())
    x, y = data._read_mnist_test(tmp_path / "t10k-images-idx3-ubyte.gz", tmp_path / "t10k-labels-idx1-ubyte.gz")
    assert x.dtype == torch.uint8 and y.dtype == torch.int64
    np.testing.assert_array_equal(x.numpy(), images)
    np.testing.assert_array_equal(y.numpy(), labels)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nada escrito junto a los .gz


def test_mnist10k_rejects_unknown_split():
    with pytest.raises(ValueError, match="split debe ser 'train' o 'test'"):
        helpers.mnist10k("validacion")


MIRROR = data.data_dir() / data.MNIST_TEST_IMAGES.relpath
needs_mnist = pytest.mark.skipif(not MIRROR.exists(), reason="MNIST no está en GENMOD_DATA_DIR")


@needs_mnist
def test_mnist10k_split_is_deterministic_and_disjoint():
    train, test = helpers.mnist10k("train"), helpers.mnist10k("test")
    x_train, y_train = train.tensors
    x_test, y_test = test.tensors
    assert x_train.shape == (8000, 1, 28, 28) and x_test.shape == (2000, 1, 28, 28)
    assert x_train.dtype == torch.float32 and y_train.dtype == torch.int64
    assert 0.0 <= x_train.min() and x_train.max() <= 1.0
    assert set(y_test.unique().tolist()) == set(range(10))
    # ninguna imagen reservada aparece en el entrenamiento (las 10 000 son distintas)
    flat_train = {row.numpy().tobytes() for row in x_train.flatten(1)}
    assert not any(row.numpy().tobytes() in flat_train for row in x_test.flatten(1))
    assert torch.equal(helpers.mnist10k("train").tensors[1], y_train)


QUIJOTE_MIRROR = data.data_dir() / data.QUIJOTE.relpath


@pytest.mark.skipif(not QUIJOTE_MIRROR.exists(), reason="el Quijote no está en GENMOD_DATA_DIR")
def test_quijote_without_gutenberg_header():
    text = helpers.quijote_text()
    assert text.startswith("El ingenioso hidalgo don Quijote de la Mancha")
    assert "Gutenberg" not in text and "*** START" not in text and "\r" not in text
    assert 2_000_000 < len(text) < 2_200_000
    assert "En un lugar de la Mancha" in text


# --- reproducibilidad ------------------------------------------------------------


def test_setup_seeds_everything_and_picks_device():
    device = helpers.setup(seed=3, verbose=False)
    a = (torch.rand(3), np.random.rand(), __import__("random").random())
    assert device.type == ("cuda" if torch.cuda.is_available() else "cpu")
    assert torch.get_num_threads() == helpers.numerics.REPRO_THREADS  # conftest impone el modo reproducible
    assert torch.are_deterministic_algorithms_enabled()
    helpers.setup(seed=3, verbose=False)
    b = (torch.rand(3), np.random.rand(), __import__("random").random())
    assert torch.equal(a[0], b[0]) and a[1:] == b[1:]


@pytest.mark.parametrize("bad", [-1, 1.5, "0", True])
def test_seed_everything_rejects_bad_seed(bad):
    with pytest.raises(ValueError, match="la semilla debe ser un entero no negativo"):
        helpers.seed_everything(bad)


def test_setup_rejects_bad_threads():
    with pytest.raises(ValueError, match="threads debe ser un entero >= 1"):
        helpers.setup(threads=0)


def test_generator_from_seed_everything_is_reproducible():
    g1, g2 = helpers.seed_everything(7), helpers.seed_everything(7)
    assert torch.equal(torch.randperm(10, generator=g1), torch.randperm(10, generator=g2))


def test_training_scale(monkeypatch):
    monkeypatch.delenv("GENMOD_SCALE", raising=False)
    assert helpers.training_scale() == 1
    monkeypatch.setenv("GENMOD_SCALE", "4")
    assert helpers.training_scale() == 4
    for bad in ("0", "mucho"):
        monkeypatch.setenv("GENMOD_SCALE", bad)
        with pytest.raises(ValueError, match="GENMOD_SCALE debe ser un entero >= 1"):
            helpers.training_scale()


def test_progress_is_disabled_by_environment(monkeypatch):
    monkeypatch.setenv("GENMOD_PROGRESS", "0")
    assert helpers.progress(range(3)).disable
    monkeypatch.setenv("GENMOD_PROGRESS", "1")
    bar = helpers.progress(range(3))
    assert not bar.disable and list(bar) == [0, 1, 2]


# --- figuras -----------------------------------------------------------------------


def test_image_grid_accepts_batches_and_rejects_bad_shapes():
    helpers.set_style()
    ax = helpers.image_grid(torch.rand(10, 1, 28, 28), nrow=5, title="prueba")
    height, width = ax.images[0].get_array().shape
    assert (height, width) == (2 * 30 + 2, 5 * 30 + 2)
    helpers.image_grid(np.random.rand(4, 3, 8, 8), nrow=2)
    with pytest.raises(ValueError, match="images debe tener forma"):
        helpers.image_grid(torch.rand(28, 28))
    with pytest.raises(ValueError, match="nrow debe ser un entero >= 1"):
        helpers.image_grid(torch.rand(2, 28, 28), nrow=0)
    plt.close("all")


def test_image_grid_layout_places_each_image_on_a_blank_margin():
    images = torch.rand(7, 1, 5, 4)
    canvas = helpers.image_grid(images, nrow=3, padding=2).images[0].get_array()
    assert canvas.shape == (3 * 7 + 2, 3 * 6 + 2)
    blank = np.ones(canvas.shape, dtype=bool)
    for i in range(7):
        r, c = divmod(i, 3)
        top, left = 2 + 7 * r, 2 + 6 * c
        np.testing.assert_array_equal(canvas[top : top + 5, left : left + 4], images[i, 0].numpy())
        blank[top : top + 5, left : left + 4] = False
    assert (canvas[blank] == 0.0).all()  # margen y huecos: fondo blanco con gray_r
    single = helpers.image_grid(torch.rand(1, 8, 8), cmap="gray", padding=3).images[0].get_array()
    assert single.shape == (14, 14) and single[0, 0] == 1.0  # una sola imagen también lleva margen
    plt.close("all")


def test_plot_curves_and_density():
    ax = helpers.plot_curves({"entrenamiento": [3, 2, 1], "validación": [3.5, 2.5, 2]})
    assert len(ax.lines) == 2 and ax.get_xlabel() == "época"
    with pytest.raises(ValueError, match="curves debe ser un diccionario"):
        helpers.plot_curves({})
    gauss = torch.distributions.MultivariateNormal(torch.zeros(2), torch.eye(2))
    ax = helpers.plot_density_2d(gauss.log_prob, (-3, 3), (-3, 3), resolution=50)
    assert ax.images[0].get_array().shape == (50, 50)
    with pytest.raises(ValueError, match="log_density debe devolver"):
        helpers.plot_density_2d(lambda p: p, (-1, 1), (-1, 1), resolution=10)
    plt.close("all")


# --- resultados --------------------------------------------------------------------


def test_report_prints_line_and_checks_target(capsys):
    assert helpers.report("vae", "test_neg_elbo", 98.43, "nats", at_most=105) is None
    helpers.report("gan", "acc", 0.9712, at_least=0.97)
    helpers.report("elbo", "err", 3e-16, "nats", at_most=1e-5, floor=1e-10)
    assert capsys.readouterr().out.splitlines() == [
        "métrica: vae.test_neg_elbo = 98.4 nats",
        "métrica: gan.acc = 0.971",
        "métrica: elbo.err = < 1e-10 nats",
    ]
    with pytest.raises(AssertionError, match="supera el objetivo"):
        helpers.report("vae", "test_neg_elbo", 110.0, "nats", at_most=105)
    with pytest.raises(AssertionError, match="no alcanza el objetivo"):
        helpers.report("gan", "acc", 0.5, at_least=0.97)
    with pytest.raises(AssertionError, match="no es finito"):
        helpers.report("gan", "fd", float("nan"), at_most=1.0)


def _nb_cells(*cells: tuple[str, str]) -> list[dict]:
    return [{"cell_type": kind, "source": source} for kind, source in cells]


def test_results_cell_is_the_last_code_cell_outside_gated_solutions():
    start, end = "```{solution-start} e\n:class: dropdown\n```\n", "Fin.\n\n```{solution-end}\n```\n"
    cells = _nb_cells(
        ("code", "import helpers"),
        ("code", "helpers.report(...)"),
        ("markdown", "```{exercise}\n:label: e\n```\n\n" + start + "Texto."),
        ("code", "print(1)"),
        ("markdown", "Más texto."),
        ("code", "print(2)"),
        ("markdown", end + "\n" + start),  # una solución termina y la siguiente empieza
        ("code", "print(3)"),
        ("markdown", [end]),  # fuente como lista, como en el JSON
    )
    assert helpers.results.solution_code_cells(cells) == [3, 5, 7]
    assert helpers.results.results_cell_index(cells) == 1
    plain = _nb_cells(("markdown", "```{solution} e\n```"), ("code", "a"), ("code", "b"))
    assert helpers.results.solution_code_cells(plain) == []
    assert helpers.results.results_cell_index(plain) == 2
    colon = _nb_cells(
        ("code", "r"), ("markdown", ":::{solution-start} e\n:::"), ("code", "s"), ("markdown", ":::{solution-end}\n:::")
    )
    assert helpers.results.solution_code_cells(colon) == [2]  # también con colon_fence


@pytest.mark.parametrize(
    "cells, match",
    [
        (_nb_cells(("markdown", "```{solution-start} e\n```"), ("code", "a")), "sin su {solution-end}"),
        (_nb_cells(("code", "a"), ("markdown", "```{solution-end}\n```")), "sin su {solution-start}"),
        (
            _nb_cells(("markdown", "```{solution-start} e\n```\n\n```{solution-start} f\n```")),
            "dentro de otra solución",
        ),
        (_nb_cells(("markdown", "Sin código.")), "no tiene celdas de código"),
    ],
)
def test_results_cell_index_rejects_unbalanced_gates(cells, match):
    with pytest.raises(ValueError, match=re.escape(match)):
        helpers.results.results_cell_index(cells)


def test_report_checks_targets_under_python_O():
    """Con ``python -O`` (que borra los assert) un objetivo incumplido sigue fallando."""
    results = Path(helpers.results.__file__)
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('results', {str(results)!r})\n"
        "results = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(results)\n"
        "assert False, 'este assert no debería ejecutarse con -O'\n"
        "results.report('vae', 'test_neg_elbo', 110.0, 'nats', at_most=105)\n"
    )
    done = subprocess.run([sys.executable, "-O", "-c", code], capture_output=True, text=True)
    assert done.returncode == 1 and "métrica: vae.test_neg_elbo = 110 nats" in done.stdout
    assert "AssertionError: vae.test_neg_elbo = 110 supera el objetivo (<= 105)." in done.stderr


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"chapter": "VAE", "name": "x", "at_most": 1}, "chapter debe ser un identificador"),
        ({"chapter": "vae", "name": "x y", "at_most": 1}, "name debe ser un identificador"),
        ({"chapter": "vae", "name": "x"}, "necesita un objetivo"),
    ],
)
def test_report_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        helpers.report(value=1.0, **kwargs)
