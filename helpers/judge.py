"""El juez de dígitos generados: un clasificador fijo y la distancia de Fréchet en sus rasgos.

Los capítulos que generan dígitos de MNIST (VAE, GAN, difusión) se miden con el mismo
juez, para que sus números se puedan comparar: una CNN pequeña entrenada de forma
determinista solo con las 8 000 imágenes de entrenamiento de MNIST-10k (con su propia
semilla, que ``GENMOD_SEED`` no desplaza: el juez es el mismo para todos), y la
distancia de Fréchet entre las gaussianas ajustadas a sus rasgos (la penúltima capa)
de unas muestras y de las 2 000 imágenes reservadas. El capítulo de las GAN deduce esa
distancia y comprueba su implementación contra esta.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from helpers.data import mnist10k
from helpers.repro import smoke_mode

#: Semilla propia del juez (fija: no la desplaza ``GENMOD_SEED``).
JUDGE_SEED = 7
JUDGE_EPOCHS = 4


class JudgeNet(nn.Module):
    """CNN pequeña: dos bloques conv-ReLU-maxpool y una capa oculta de 128 rasgos."""

    def __init__(self, c1: int = 32, c2: int = 64, hidden: int = 128):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, c1, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(c1, c2, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Dropout(0.25),
            nn.Linear(c2 * 7 * 7, hidden),
            nn.ReLU(),
        )
        self.head = nn.Sequential(nn.Dropout(0.25), nn.Linear(hidden, 10))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


def _sqrtm_psd(a: np.ndarray) -> np.ndarray:
    vals, vecs = np.linalg.eigh((a + a.T) / 2)
    return (vecs * np.sqrt(np.clip(vals, 0, None))) @ vecs.T


def frechet_distance(f1: np.ndarray, f2: np.ndarray) -> float:
    """Distancia de Fréchet (al cuadrado) entre las gaussianas ajustadas a dos matrices (N, d)."""
    if f1.ndim != 2 or f2.ndim != 2 or f1.shape[1] != f2.shape[1] or min(len(f1), len(f2)) < 2:
        raise ValueError(
            f"se esperaban dos matrices (N, d) con la misma d y N >= 2; se recibió {f1.shape} y {f2.shape}."
        )
    mu1, mu2 = f1.mean(0), f2.mean(0)
    cov1, cov2 = np.cov(f1, rowvar=False), np.cov(f2, rowvar=False)
    root1 = _sqrtm_psd(cov1)
    cross = _sqrtm_psd(root1 @ cov2 @ root1)
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(cov1) + np.trace(cov2) - 2 * np.trace(cross))


class DigitJudge:
    """El juez entrenado: ``predict``, ``features``, ``accuracy`` y ``frechet`` sobre imágenes.

    Las imágenes son tensores ``(N, 1, 28, 28)`` con valores en [0, 1].
    """

    def __init__(self, device: torch.device | str = "cpu", epochs: int = JUDGE_EPOCHS):
        self.device = torch.device(device)
        train = mnist10k("train")
        x_test, self.test_labels = mnist10k("test").tensors
        # manual_seed también siembra las GPU: fork_rng guarda y restaura sus generadores
        # (y el de la CPU), así que el juez no toca los generadores globales del capítulo.
        cuda_devices = list(range(torch.cuda.device_count())) if torch.cuda.is_available() else []
        # En el modo de humo el juez solo da unos pasos: sus cifras no significan nada.
        max_batches = 3 if smoke_mode() else None
        with torch.random.fork_rng(devices=cuda_devices):
            torch.manual_seed(JUDGE_SEED)
            self.net = JudgeNet().to(self.device)
            opt = torch.optim.Adam(self.net.parameters(), lr=1e-3)
            loader = torch.utils.data.DataLoader(
                train, batch_size=64, shuffle=True, generator=torch.Generator().manual_seed(JUDGE_SEED)
            )
            self.net.train()
            for _ in range(epochs):
                for i, (x, y) in enumerate(loader):
                    if max_batches is not None and i == max_batches:
                        break
                    loss = F.cross_entropy(self.net(x.to(self.device)), y.to(self.device))
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
        self.net.eval()
        self.test_features = self.features(x_test)
        self.test_accuracy = self.accuracy(x_test, self.test_labels)

    def _check(self, images: torch.Tensor) -> None:
        if not isinstance(images, torch.Tensor) or images.ndim != 4 or tuple(images.shape[1:]) != (1, 28, 28):
            shape = tuple(images.shape) if isinstance(images, torch.Tensor) else type(images).__name__
            raise ValueError(f"images debe ser un tensor (N, 1, 28, 28) con valores en [0, 1]; se recibió {shape}.")

    @torch.no_grad()
    def predict(self, images: torch.Tensor) -> torch.Tensor:
        """Clase que el juez asigna a cada imagen (tensor ``int64`` en CPU)."""
        self._check(images)
        return torch.cat([self.net(b.to(self.device)).argmax(1).cpu() for b in images.split(500)])

    @torch.no_grad()
    def features(self, images: torch.Tensor) -> np.ndarray:
        """Rasgos de la penúltima capa, ``(N, 128)`` en float64."""
        self._check(images)
        return torch.cat([self.net.features(b.to(self.device)).cpu() for b in images.split(500)]).double().numpy()

    def accuracy(self, images: torch.Tensor, labels: torch.Tensor) -> float:
        """Fracción de imágenes que el juez asigna a la clase pedida ``labels``."""
        if not isinstance(labels, torch.Tensor) or labels.shape != (len(images),):
            raise ValueError(f"labels debe ser un tensor de forma ({len(images)},).")
        return (self.predict(images) == labels.cpu()).float().mean().item()

    def frechet(self, images: torch.Tensor) -> float:
        """Distancia de Fréchet entre los rasgos de ``images`` y los de las 2 000 imágenes reservadas."""
        return frechet_distance(self.features(images), self.test_features)
