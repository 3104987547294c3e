"""La distancia de Fréchet del juez: formas cerradas y errores claros (sin entrenar el juez)."""

import numpy as np
import pytest
import torch

import helpers
from helpers.judge import DigitJudge, frechet_distance


def test_frechet_matches_closed_form_for_gaussian_samples():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(20000, 3))
    b = 2.0 * rng.normal(size=(20000, 3)) + 1.0
    # Exacta con las medias y covarianzas de las muestras; cerca de la población: 3·1² + 3·(2−1)² = 6.
    assert abs(frechet_distance(a, b) - 6.0) < 0.2
    assert abs(frechet_distance(a, a)) < 1e-8


def test_frechet_and_judge_reject_bad_input():
    with pytest.raises(ValueError, match="dos matrices"):
        frechet_distance(np.zeros((5, 3)), np.zeros((5, 4)))
    judge = DigitJudge.__new__(DigitJudge)  # sin entrenar: solo la validación de entradas
    with pytest.raises(ValueError, match=r"images debe ser un tensor \(N, 1, 28, 28\)"):
        judge.predict(torch.zeros(3, 28, 28))


def test_seed_offset(monkeypatch):
    monkeypatch.setenv("GENMOD_SEED", "0")
    assert helpers.seed(5) == 5
    g0 = helpers.seed_everything(3)
    monkeypatch.setenv("GENMOD_SEED", "2")
    assert helpers.seed(5) == 7
    assert helpers.seed_everything(1).initial_seed() == g0.initial_seed() == 3
    monkeypatch.setenv("GENMOD_SEED", "-1")
    with pytest.raises(ValueError, match="GENMOD_SEED debe ser un entero >= 0"):
        helpers.seed(0)


def test_check_error(capsys):
    helpers.check_error("identidad", 3e-12, tol=1e-6)
    helpers.check_error("Monte Carlo", 2.5e-3, tol=1e-2)
    assert capsys.readouterr().out.splitlines() == ["identidad: < 1e-09", "Monte Carlo: 2.5e-03 (tolerancia 0.01)"]
    with pytest.raises(AssertionError, match="supera la tolerancia"):
        helpers.check_error("mal", 0.1, tol=1e-3)
    with pytest.raises(AssertionError, match="supera la tolerancia"):
        helpers.check_error("nan", float("nan"), tol=1e-3)
