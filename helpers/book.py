"""Código que enseñan los capítulos y que reutilizan los capítulos posteriores.

ARCHIVO GENERADO por ``python scripts/export.py`` a partir de las celdas con la etiqueta
``export`` de ``chapters/*.md``: no lo edite a mano, edite el capítulo y regenérelo.
Cada bloque dice de qué capítulo viene; allí están su derivación y sus comprobaciones.
"""

# ruff: noqa: E501, F401  (la cabecera importa lo que puede usar cualquier celda exportada)
from __future__ import annotations

import math

import numpy as np
import torch
import torch.distributions as td
import torch.nn.functional as F
from torch import nn

import helpers

__all__ = [
    "gaussian_kl",
    "mlp",
    "minibatches",
    "gaussian_nll",
    "bernoulli_nll",
    "categorical_nll",
    "posterior",
    "standard_prior",
    "reparameterize",
    "VAE",
    "train_vae",
    "evaluate",
    "sample_swiss_roll",
    "ring_centers",
    "sample_ring",
    "count_modes",
    "class_spread",
]


# --- 01_elbo ------------------------------------------------------------------


def gaussian_kl(mu: torch.Tensor, log_var: torch.Tensor) -> torch.Tensor:
    """KL(N(mu, diag exp(log_var)) || N(0, I)) en nats, en forma cerrada (1.6).

    Suma sobre la última dimensión (las L componentes de la latente). Es
    kl_normal(mu, exp(log_var / 2), 0, 1) sumada por componentes, escrita con la
    log-varianza, que es lo que devuelve un codificador.
    """
    if mu.shape != log_var.shape:
        raise ValueError(f"mu y log_var deben tener la misma forma; son {tuple(mu.shape)} y {tuple(log_var.shape)}.")
    return -0.5 * (1 + log_var - mu**2 - log_var.exp()).sum(-1)


# --- 03_vae -------------------------------------------------------------------


def mlp(dims):
    """Perceptrón multicapa: lineales con ELU entre ellas (no tras la última)."""
    layers = []
    for i, (d_in, d_out) in enumerate(zip(dims[:-1], dims[1:], strict=True)):
        layers.append(nn.Linear(d_in, d_out))
        if i < len(dims) - 2:
            layers.append(nn.ELU())
    return nn.Sequential(*layers)


# --- 03_vae -------------------------------------------------------------------


def minibatches(n, batch_size, generator):
    """Índices barajados de n ejemplos, en lotes (el último puede ser menor)."""
    return torch.randperm(n, generator=generator).split(batch_size)


# --- 03_vae -------------------------------------------------------------------


def gaussian_nll(x_hat, x, sigma0):
    """-log N(x; x_hat, sigma0² I) por fila, ecuación (3.2)."""
    if sigma0 <= 0:
        raise ValueError(f"sigma0 debe ser positivo; se recibió {sigma0!r}.")
    if x_hat.shape != x.shape:
        raise ValueError(f"x_hat y x deben tener la misma forma; son {tuple(x_hat.shape)} y {tuple(x.shape)}.")
    sq = (x - x_hat).pow(2).flatten(1).sum(-1)
    return sq / (2 * sigma0**2) + 0.5 * x[0].numel() * math.log(2 * math.pi * sigma0**2)


def bernoulli_nll(logits, x):
    """-log Bernoulli(x; sigmoide(logits)) por fila: la BCE sumada, ecuación (3.3)."""
    if logits.shape != x.shape:
        raise ValueError(f"logits y x deben tener la misma forma; son {tuple(logits.shape)} y {tuple(x.shape)}.")
    bce = F.binary_cross_entropy_with_logits(logits, x, reduction="none")
    return bce.flatten(1).sum(-1)


def categorical_nll(logits, x):
    """-log Categórica(x; softmax(logits)) por fila; logits (N, K, D), x (N, D) enteros."""
    return F.cross_entropy(logits, x, reduction="none").sum(-1)


# --- 03_vae -------------------------------------------------------------------


def posterior(mu, logvar):
    """q = N(mu, diag exp(logvar)) en torch.distributions; las L componentes, un evento."""
    return td.Independent(td.Normal(mu, (0.5 * logvar).exp()), 1)


def standard_prior(like):
    """p(z) = N(0, I) con la forma, el tipo y el dispositivo del tensor `like`."""
    return td.Independent(td.Normal(torch.zeros_like(like), 1.0), 1)


# --- 03_vae -------------------------------------------------------------------


def reparameterize(mu, logvar, generator=None):
    """z = mu + sigma * eps con eps ~ N(0, I), ecuación (3.5)."""
    eps = torch.randn(mu.shape, generator=generator, device=mu.device, dtype=mu.dtype)
    return mu + (0.5 * logvar).exp() * eps


# --- 03_vae -------------------------------------------------------------------


class VAE(nn.Module):
    """VAE con posterior gaussiana diagonal y distribución a priori N(0, I).

    likelihood: "bernoulli" (el decodificador da logits) o "gaussian" (da la media;
    desviación estándar fija sigma0). Con n_classes > 0 es un VAE condicional: el
    codificador y el decodificador reciben también la etiqueta y en one-hot.
    """

    def __init__(self, data_dim, hidden, latent_dim, likelihood="bernoulli", sigma0=None, n_classes=0):
        super().__init__()
        if likelihood not in ("bernoulli", "gaussian"):
            raise ValueError(f"likelihood: 'bernoulli' o 'gaussian': {likelihood!r}")
        if (likelihood == "gaussian") != (sigma0 is not None):
            raise ValueError("sigma0 se da si y solo si likelihood es 'gaussian'.")
        self.latent_dim, self.n_classes = latent_dim, n_classes
        self.likelihood, self.sigma0 = likelihood, sigma0
        self.encoder = mlp([data_dim + n_classes, *hidden, 2 * latent_dim])
        self.decoder = mlp([latent_dim + n_classes, *hidden[::-1], data_dim])

    def _with_label(self, t, y):
        """Concatena a t la etiqueta y en one-hot (solo en el modelo condicional)."""
        if (y is None) != (self.n_classes == 0):
            raise ValueError("y se pasa si y solo si el modelo es condicional.")
        if y is None:
            return t
        return torch.cat([t, F.one_hot(y, self.n_classes).to(t.dtype)], -1)

    def encode(self, x, y=None):
        """Parámetros (mu, logvar) de q(z | x), o de q(z | x, y)."""
        mu, logvar = self.encoder(self._with_label(x, y)).chunk(2, dim=-1)
        return mu, logvar

    def decoder_params(self, z, y=None):
        """Parámetros de p(x | z): logits (Bernoulli) o media (gaussiana)."""
        return self.decoder(self._with_label(z, y))

    def decode(self, z, y=None):
        """Media de p(x | z), o de p(x | z, y)."""
        out = self.decoder_params(z, y)
        return torch.sigmoid(out) if self.likelihood == "bernoulli" else out

    def nll(self, params, x):
        """-log p(x | z) por fila, dados los parámetros que devuelve el decodificador."""
        if self.likelihood == "bernoulli":
            return bernoulli_nll(params, x)
        return gaussian_nll(params, x, self.sigma0)

    def forward(self, x, y=None, generator=None):
        """Reconstrucción -log p(x | z) (una z reparametrizada) y KL(q || p), por dato."""
        mu, logvar = self.encode(x, y)
        z = reparameterize(mu, logvar, generator)
        return self.nll(self.decoder_params(z, y), x), gaussian_kl(mu, logvar)


# --- 03_vae -------------------------------------------------------------------


def train_vae(model, x, epochs, lr, y=None, batch_size=128, beta=1.0, seed=0, x_test=None):
    """Minimiza reconstrucción + beta·KL con Adam y paso en coseno.

    Devuelve el historial por época; con x_test, también las dos medias en esos datos
    (solo para seguir el entrenamiento: no se usan para elegir nada).
    """
    if beta < 0:
        raise ValueError(f"beta debe ser no negativo; se recibió {beta!r}.")
    gen = helpers.seed_everything(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    steps = epochs * math.ceil(len(x) / batch_size)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 0.5 * (1 + math.cos(math.pi * s / steps)))
    history = {"rec": [], "kl": [], "test_rec": [], "test_kl": []}
    for _ in helpers.progress(range(epochs), desc="épocas"):
        total_rec = total_kl = 0.0
        for idx in minibatches(len(x), batch_size, gen):
            rec, kl = model(x[idx], None if y is None else y[idx])
            loss = (rec + beta * kl).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total_rec += rec.sum().item()
            total_kl += kl.sum().item()
        history["rec"].append(total_rec / len(x))
        history["kl"].append(total_kl / len(x))
        if x_test is not None:
            rec_t, kl_t = evaluate(model, x_test)
            history["test_rec"].append(rec_t)
            history["test_kl"].append(kl_t)
    return history


@torch.no_grad()
def evaluate(model, x, y=None, samples=1, batch_size=1000, seed=123):
    """Medias por dato de la reconstrucción (con `samples` muestras de z) y de la KL."""
    gen = torch.Generator(device=x.device).manual_seed(helpers.seed(seed))
    rec_sum = kl_sum = 0.0
    for i in range(0, len(x), batch_size):
        xb = x[i : i + batch_size]
        yb = None if y is None else y[i : i + batch_size]
        mu, logvar = model.encode(xb, yb)
        kl_sum += gaussian_kl(mu, logvar).sum().item()
        for _ in range(samples):
            z = reparameterize(mu, logvar, gen)
            rec_sum += model.nll(model.decoder_params(z, yb), xb).sum().item() / samples
    return rec_sum / len(x), kl_sum / len(x)


# --- 05_gan -------------------------------------------------------------------


def sample_swiss_roll(n, generator, noise=0.05):
    """n puntos de un rollo suizo en el plano, escalado a [-1, 1] aproximadamente."""
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n debe ser un entero positivo; se recibió {n!r}.")
    t = 1.5 * math.pi * (1 + 2 * torch.rand(n, generator=generator))
    x = torch.stack([t * torch.cos(t), t * torch.sin(t)], dim=1) / 10.0
    return x + noise * torch.randn(n, 2, generator=generator)


def ring_centers(k=8, radius=2.0):
    """Centros de k gaussianas repartidas en una circunferencia."""
    angles = 2 * math.pi * torch.arange(k) / k
    return radius * torch.stack([torch.cos(angles), torch.sin(angles)], dim=1)


def sample_ring(n, generator, k=8, radius=2.0, std=0.02):
    """n puntos de una mezcla equiprobable de k gaussianas isótropas en un anillo."""
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n debe ser un entero positivo; se recibió {n!r}.")
    if not isinstance(k, int) or k < 1:
        raise ValueError(f"k (número de modos) debe ser un entero positivo; se recibió {k!r}.")
    idx = torch.randint(0, k, (n,), generator=generator)
    return ring_centers(k, radius)[idx] + std * torch.randn(n, 2, generator=generator)


# --- 05_gan -------------------------------------------------------------------


def count_modes(samples, centers, std=0.02, min_frac=0.02, radius=None):
    """Modos con al menos min_frac de las muestras a menos de radius de su centro (3 std
    si no se da radius) y fracción de muestras a menos de 3 std de algún centro."""
    nearest = torch.cdist(samples, centers).min(dim=1)
    near = nearest.values < (3 * std if radius is None else radius)
    counts = torch.bincount(nearest.indices[near], minlength=len(centers))
    close = (nearest.values < 3 * std).float().mean().item()
    return int((counts >= min_frac * len(samples)).sum()), close


# --- 05_gan -------------------------------------------------------------------


def class_spread(features, labels):
    """Dispersión dentro de cada clase: traza de la covarianza de sus rasgos, promediada."""
    covs = [np.cov(features[labels == k], rowvar=False) for k in range(10)]
    return np.mean([np.trace(cov) for cov in covs])
