"""Datos del curso: descarga verificada, caché local y cargadores.

Los archivos se guardan en el directorio que indica la variable de entorno
``GENMOD_DATA_DIR`` (por defecto ``~/.cache/genmod``), con la misma estructura que el
espejo sin conexión que usa la integración continua::

    MNIST/raw/t10k-images-idx3-ubyte.gz
    MNIST/raw/t10k-labels-idx1-ubyte.gz
    quijote/pg2000.txt

La descarga propia (SHA-256 y errores en español) va primero; después MNIST se lee con
``torchvision.datasets.MNIST``, el lector habitual del ecosistema.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import shutil
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import torch
from torch.utils.data import TensorDataset

from helpers._tqdm import tqdm

DATA_ENV = "GENMOD_DATA_DIR"


class DataUnavailableError(RuntimeError):
    """Un archivo de datos falta y no se pudo descargar, o su suma de control no coincide."""


@dataclass(frozen=True)
class RemoteFile:
    """Un archivo canónico: ruta relativa en la caché, direcciones y SHA-256."""

    relpath: str
    urls: tuple[str, ...]
    sha256: str


_MNIST_MIRRORS = ("https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/")

MNIST_TEST_IMAGES = RemoteFile(
    "MNIST/raw/t10k-images-idx3-ubyte.gz",
    tuple(m + "t10k-images-idx3-ubyte.gz" for m in _MNIST_MIRRORS),
    "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
)
MNIST_TEST_LABELS = RemoteFile(
    "MNIST/raw/t10k-labels-idx1-ubyte.gz",
    tuple(m + "t10k-labels-idx1-ubyte.gz" for m in _MNIST_MIRRORS),
    "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
)
QUIJOTE = RemoteFile(
    "quijote/pg2000.txt",
    ("https://www.gutenberg.org/cache/epub/2000/pg2000.txt",),
    "485be638d952a55acbb944c964d0429418ca2da711df7bc48a36c612129ead9b",
)

#: Tamaños del reparto determinista de MNIST-10k.
MNIST10K_TRAIN_SIZE = 8000
MNIST10K_SPLIT_SEED = 2013


def data_dir() -> Path:
    """Directorio de datos: ``$GENMOD_DATA_DIR`` o ``~/.cache/genmod``."""
    raw = os.environ.get(DATA_ENV)
    return Path(raw).expanduser() if raw else Path.home() / ".cache" / "genmod"


def sha256sum(path: Path) -> str:
    """SHA-256 de un archivo, en hexadecimal."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fetch_verified(url: str, target: Path, sha256: str) -> None:
    """Descarga ``url`` y la deja en ``target`` solo si su SHA-256 es ``sha256``.

    Escribe en un temporal del mismo directorio (con barra de progreso), calcula la suma
    mientras descarga y, si coincide, lo renombra con ``os.replace`` (atómico en un mismo
    sistema de archivos). Si la descarga falla, queda incompleta o la suma no coincide,
    borra el temporal y lanza una excepción: la caché nunca guarda un archivo a medias.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        received = 0
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=30) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            with tqdm(total=total, unit="B", unit_scale=True, desc=target.name) as bar:
                for block in iter(lambda: response.read(1 << 16), b""):
                    out.write(block)
                    digest.update(block)
                    received += len(block)
                    bar.update(len(block))
        if total is not None and received != total:
            raise OSError(f"descarga incompleta: {received} de {total} bytes")
        actual = digest.hexdigest()
        if actual != sha256:
            raise OSError(f"la suma SHA-256 no coincide (se obtuvo {actual}, {received} bytes)")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def download(remote: RemoteFile, root: Path | None = None) -> Path:
    """Devuelve la ruta local de ``remote``; lo descarga si falta y verifica su SHA-256.

    Prueba las direcciones en orden; cada descarga se verifica antes de entrar en la
    caché, así que una réplica dañada o una descarga cortada no dejan nada y se pasa a la
    siguiente dirección. Un archivo ya guardado cuya suma no coincide se vuelve a
    descargar (si el directorio admite escritura).

    Lanza ``DataUnavailableError`` (con el archivo, las direcciones probadas y sus
    errores, y la variable que hay que fijar) si ninguna dirección da el archivo
    canónico.
    """
    root = data_dir() if root is None else Path(root)
    path = root / remote.relpath
    problem = f"Falta el archivo de datos {path}"
    if path.exists():
        actual = sha256sum(path)
        if actual == remote.sha256:
            return path
        problem = (
            f"La suma SHA-256 de {path} no coincide: se esperaba {remote.sha256} y se obtuvo {actual} "
            f"(el archivo está dañado o no es el canónico)"
        )
    errors = []
    for url in remote.urls:
        try:
            _fetch_verified(url, path, remote.sha256)
            return path
        except (OSError, ValueError, http.client.HTTPException) as exc:  # URLError es un OSError
            errors.append(f"{url}: {exc}")
    raise DataUnavailableError(
        f"{problem} y no se pudo descargar una copia correcta.\n"
        f"Direcciones probadas:\n  " + "\n  ".join(errors) + "\n"
        f"Descárguelo a mano de {remote.urls[0]} en esa ruta, o apunte la variable de entorno "
        f"{DATA_ENV} a un directorio que lo contenga como '{remote.relpath}'."
    )


def _read_mnist_test(images_gz: Path, labels_gz: Path) -> tuple[torch.Tensor, torch.Tensor]:
    """Lee el par de prueba canónico de MNIST con ``torchvision.datasets.MNIST``.

    Devuelve las imágenes ``uint8`` de forma ``(N, 28, 28)`` y las etiquetas ``int64``.
    La clase de torchvision lee los archivos IDX descomprimidos de ``root/MNIST/raw`` y,
    sin ``download=True``, exige los cuatro del MNIST completo; el espejo de datos es de
    solo lectura y trae solo el par de prueba comprimido. Por eso los dos ``.gz`` (ya
    verificados con su SHA-256) se descomprimen en un directorio temporal, nunca en
    ``GENMOD_DATA_DIR``, y se lee con una subclase que solo exige ese par.
    """
    from torchvision import datasets  # aquí y no arriba: importar torchvision tarda ~1 s

    class MNIST(datasets.MNIST):  # mismo nombre: la clase lee root/MNIST/raw
        resources = [item for item in datasets.MNIST.resources if item[0].startswith("t10k-")]

    with tempfile.TemporaryDirectory(prefix="genmod-mnist-") as tmp:
        for gz in (images_gz, labels_gz):
            raw = Path(tmp) / "MNIST" / "raw" / gz.name.removesuffix(".gz")
            raw.parent.mkdir(parents=True, exist_ok=True)
            with gzip.open(gz, "rb") as src, open(raw, "wb") as dst:
                shutil.copyfileobj(src, dst)
        dataset = MNIST(root=tmp, train=False)
        return dataset.data, dataset.targets


def mnist10k(split: str = "train", root: Path | None = None) -> TensorDataset:
    """MNIST-10k: los 10 000 dígitos del archivo de prueba canónico de MNIST.

    Es el MNIST pequeño del curso. Se reparte de forma determinista (una permutación
    con semilla fija) en 8 000 imágenes de entrenamiento (``split="train"``) y 2 000
    reservadas (``split="test"``) que ningún capítulo usa para entrenar.

    Devuelve un ``TensorDataset`` con imágenes ``float32`` de forma ``(N, 1, 28, 28)``
    y valores en [0, 1], y etiquetas ``int64`` de forma ``(N,)``.
    """
    if split not in ("train", "test"):
        raise ValueError(f"split debe ser 'train' o 'test'; se recibió {split!r}.")
    images, labels = _read_mnist_test(download(MNIST_TEST_IMAGES, root), download(MNIST_TEST_LABELS, root))
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(MNIST10K_SPLIT_SEED))
    idx = order[:MNIST10K_TRAIN_SIZE] if split == "train" else order[MNIST10K_TRAIN_SIZE:]
    x = images.float().div_(255.0).unsqueeze(1)
    y = labels
    return TensorDataset(x[idx], y[idx])


def quijote_text(root: Path | None = None) -> str:
    """Texto de *Don Quijote* (Proyecto Gutenberg n.º 2000) sin cabecera ni licencia.

    Devuelve lo que hay entre las líneas ``*** START OF ...`` y ``*** END OF ...``,
    sin espacios al principio ni al final y con saltos de línea ``\\n``.
    """
    path = download(QUIJOTE, root)
    raw = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    start = raw.find("*** START OF")
    end = raw.find("*** END OF")
    missing = [mark for mark, at in (("*** START OF", start), ("*** END OF", end)) if at < 0]
    if missing:
        raise DataUnavailableError(
            f"El archivo del Quijote {path} no tiene la marca {' ni la marca '.join(repr(m) for m in missing)} "
            f"del Proyecto Gutenberg, así que no se puede quitar la cabecera ni la licencia. Debe ser el texto "
            f"canónico de {QUIJOTE.urls[0]} (revise la variable {DATA_ENV})."
        )
    body = raw[raw.index("\n", start) + 1 : end]
    return body.strip()
