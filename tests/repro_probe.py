"""Sonda del modo reproducible: un entrenamiento pequeño que toca cada biblioteca numérica.

Imprime una línea JSON con la huella (SHA-256) de todo lo que calcula: datos de NumPy
(funciones trascendentes), un modelo de mezcla de scikit-learn (OpenBLAS), y unos pasos
de Adam sobre una red con capas lineales (MKL), una convolución y su transpuesta, una
RNN y atención causal (ATen). Las pruebas la ejecutan en procesos nuevos con entornos
distintos: con el modo encendido, la huella debe ser siempre la misma.
"""

import hashlib
import json

import helpers  # primero: fija el modo numérico

# isort: split
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.mixture import GaussianMixture

digest = hashlib.sha256()
helpers.setup(seed=0, verbose=False)

# NumPy y OpenBLAS
grid = np.linspace(0.0, 20.0, 4001)
data = np.stack([np.sin(grid) * np.exp(-grid / 7), np.log1p(grid) + np.cos(3 * grid)], axis=1)
digest.update(data.tobytes())
gmm = GaussianMixture(n_components=3, random_state=0).fit(data)
digest.update(np.ascontiguousarray(gmm.means_).tobytes())


class Probe(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 3, padding=1)
        self.up = nn.ConvTranspose2d(8, 4, 2, stride=2)
        self.rnn = nn.RNN(4, 16, batch_first=True)
        self.attn = nn.MultiheadAttention(16, 2, batch_first=True)
        self.head = nn.Linear(16, 10)

    def forward(self, x):
        h = self.up(F.gelu(self.conv(x)))  # (B, 4, 16, 16)
        seq = h.mean(dim=3).transpose(1, 2)  # (B, 16, 4)
        out, _ = self.rnn(seq)
        mask = torch.triu(torch.ones(16, 16, dtype=torch.bool), diagonal=1)
        out, _ = self.attn(out, out, out, attn_mask=mask, need_weights=False)
        return self.head(F.layer_norm(out.mean(dim=1), (16,)))


model = Probe()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
x = torch.randn(64, 1, 8, 8)
y = torch.randint(0, 10, (64,))
losses = []
for _ in range(40):
    loss = F.cross_entropy(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    losses.append(loss.item())
for p in model.parameters():
    digest.update(p.detach().numpy().tobytes())

print(json.dumps({"sha256": digest.hexdigest(), "final_loss": losses[-1], "threads": torch.get_num_threads()}))
