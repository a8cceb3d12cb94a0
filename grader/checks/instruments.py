"""The instruments lab's checks: one function per graded test cell of ``source/instruments/instruments.ipynb``.

The reference functions here are the lab's model answers; ``tests/checks/test_instruments.py`` shows that their
MFCCs agree with librosa's. ``mfcc`` calls the student's ``frame_signal``, ``power_spectrum`` and
``mel_filterbank`` (the task text allows it): its checks put these references in their place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.fft
import torch
from torch import nn

from grader.checks import check, raises_value_error, stand_ins

HISTORY_KEYS = ("train_loss", "train_accuracy", "val_loss", "val_accuracy")
LOG_FLOOR = 1e-10


def hann(length: int) -> np.ndarray:
    """The periodic Hann window: ``0.5 - 0.5 cos(2 pi n / N)``, n = 0, ..., N - 1."""
    return 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(length) / length)


def reference_frames(signal: np.ndarray, frame_length: int = 512, hop_length: int = 256) -> np.ndarray:
    """Task 1."""
    n = 1 + (len(signal) - frame_length) // hop_length
    index = np.arange(frame_length)[None, :] + hop_length * np.arange(n)[:, None]
    return signal[index] * hann(frame_length)


def reference_power(frames: np.ndarray) -> np.ndarray:
    """Task 2."""
    return np.abs(np.fft.rfft(frames, axis=1)) ** 2


def hz_to_mel(f):
    """The HTK mel scale."""
    return 2595 * np.log10(1 + np.asarray(f) / 700)


def mel_to_hz(m):
    """The inverse of :func:`hz_to_mel`."""
    return 700 * (10 ** (np.asarray(m) / 2595) - 1)


def reference_edges(n_mels: int, sample_rate: int, f_min: float = 0.0, f_max: float | None = None) -> np.ndarray:
    """Task 3's n_mels + 2 edges, in Hz, equally spaced in mel from f_min to f_max (half the sample rate if None)."""
    f_max = sample_rate / 2 if f_max is None else f_max
    return mel_to_hz(np.linspace(hz_to_mel(f_min), hz_to_mel(f_max), n_mels + 2))


def triangles_over(edges: np.ndarray, bins: np.ndarray) -> np.ndarray:
    """Task 3's triangles of the ``edges`` at the frequencies ``bins``: one row a filter."""
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    return np.maximum(0, np.minimum((bins - lower) / (centre - lower), (upper - bins) / (upper - centre)))


def reference_filterbank(
    n_mels: int = 40, n_fft: int = 512, sample_rate: int = 16000, f_min: float = 0.0, f_max: float | None = None
) -> np.ndarray:
    """Task 3."""
    bins = np.arange(n_fft // 2 + 1) * sample_rate / n_fft
    return triangles_over(reference_edges(n_mels, sample_rate, f_min, f_max), bins)


def reference_energies(
    signal: np.ndarray, sample_rate: int = 16000, n_mels: int = 40, frame_length: int = 512, hop_length: int = 256
) -> np.ndarray:
    """Task 4's mel energies E = P H^T, before the floor and the logarithm."""
    power = reference_power(reference_frames(signal, frame_length, hop_length))
    return power @ reference_filterbank(n_mels, frame_length, sample_rate).T


def reference_log_energies(
    signal: np.ndarray, sample_rate: int, n_mels: int, frame_length: int, hop_length: int
) -> np.ndarray:
    """Task 4's log mel energies, in decibels with the floor, before the DCT."""
    energies = reference_energies(signal, sample_rate, n_mels, frame_length, hop_length)
    return 10 * np.log10(np.maximum(energies, LOG_FLOOR))


def reference_mfcc(
    signal: np.ndarray,
    sample_rate: int = 16000,
    n_mfcc: int = 13,
    n_mels: int = 40,
    frame_length: int = 512,
    hop_length: int = 256,
) -> np.ndarray:
    """Task 4."""
    log_energies = reference_log_energies(signal, sample_rate, n_mels, frame_length, hop_length)
    return scipy.fft.dct(log_energies, type=2, norm="ortho", axis=1)[:, :n_mfcc]


def reference_features(coefficients: np.ndarray) -> np.ndarray:
    """Task 5."""
    return np.concatenate([coefficients.mean(axis=0), coefficients.std(axis=0)])


def reference_fit_standardiser(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Task 6."""
    std = X.std(axis=0)
    return X.mean(axis=0), np.where(std > 0, std, 1.0)


def evaluate(model: nn.Module, X: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """Task 8's loss and accuracy of a whole set, in evaluation mode, without gradients."""
    model.eval()
    with torch.no_grad():
        outputs = model(X)
        return nn.functional.cross_entropy(outputs, y).item(), (outputs.argmax(dim=1) == y).float().mean().item()


def reference_train(model, X_train, y_train, X_val, y_val, lr=0.1, epochs=100, batch_size=32, generator=None):
    """Task 8."""
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history = {key: [] for key in HISTORY_KEYS}
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(X_train), generator=generator)
        for start in range(0, len(X_train), batch_size):
            batch = order[start : start + batch_size]
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(X_train[batch]), y_train[batch]).backward()
            optimizer.step()
        for split, (X, y) in (("train", (X_train, y_train)), ("val", (X_val, y_val))):
            loss, accuracy = evaluate(model, X, y)
            history[f"{split}_loss"].append(loss)
            history[f"{split}_accuracy"].append(accuracy)
    return history


def note(seed: int, n: int = 6000) -> np.ndarray:
    """A test signal: two tones and noise, float64."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / 16000
    return np.sin(2 * np.pi * 330 * t) + 0.3 * np.sin(2 * np.pi * 1250 * t) + 0.05 * rng.standard_normal(n)


def close(actual, expected, what: str, rtol: float = 1e-6, atol: float = 1e-8) -> None:
    """``actual`` is an array of ``expected``'s shape and values (``what`` names it in the student's terms)."""
    actual = np.asarray(actual)
    assert actual.shape == expected.shape, f"{what} must have shape {expected.shape}, got {actual.shape}"
    assert np.allclose(actual, expected, rtol=rtol, atol=atol), (
        f"{what} differs from the expected values by up to {np.abs(actual - expected).max():.3g}"
    )


@check
def frame_signal_hidden_frames(frame_signal) -> None:
    """Task 1: the frames at another length and hop, in order, each windowed; the last partial frame dropped (the
    hop leaves 25 samples over, so a frame padded with zeros would be one too many)."""
    signal = note(11, 1000)
    frames = np.asarray(frame_signal(signal, frame_length=100, hop_length=35))
    n = 1 + (1000 - 100) // 35
    assert frames.shape == (n, 100), (
        f"1,000 samples in frames of 100 every 35 samples must give 1 + (1000 - 100) // 35 = {n} frames of 100 "
        f"(a last frame that would run past the end is dropped, not padded), got shape {frames.shape}"
    )
    if np.allclose(frames[0], signal[:100] * hann(100)) and not np.allclose(frames[3], signal[105:205] * hann(100)):
        raise AssertionError("frame i must start at sample i * hop_length: frame 3 is samples 105 to 204, windowed")
    close(frames, reference_frames(signal, 100, 35), "frame_signal(signal, frame_length=100, hop_length=35)")


@check
def frame_signal_hidden_window(frame_signal) -> None:
    """Task 1: the periodic Hann window, 0.5 - 0.5 cos(2 pi n / N), at an even and an odd frame length."""
    for length in (16, 15):
        frames = np.asarray(frame_signal(np.ones(64), frame_length=length, hop_length=length))
        assert np.allclose(frames[0], hann(length)), (
            f"a frame of ones must come out as the window itself: the periodic Hann window 0.5 - 0.5 cos(2 pi n / N) "
            f"for n = 0, ..., N - 1 (N = frame_length, here {length}; np.hanning is the symmetric one, with N - 1), "
            f"got {np.round(frames[0][:4], 4)} ..."
        )


@check
def frame_signal_hidden_short(frame_signal) -> None:
    """Task 1: a signal shorter than one frame raises ValueError; one of exactly one frame gives that frame."""
    raises_value_error(
        lambda: frame_signal(np.zeros(100), frame_length=128), "frame_signal of 100 samples in frames of 128"
    )
    signal = note(12, 128)
    try:
        frames = np.asarray(frame_signal(signal, frame_length=128, hop_length=64))
    except ValueError as error:
        raise AssertionError(
            f"a signal of exactly one frame (128 samples, frame_length=128) is not too short: it gives 1 frame, "
            f"but frame_signal raised ValueError({error})"
        ) from None
    assert frames.shape == (1, 128), (
        f"a signal of exactly one frame (128 samples, frame_length=128) gives 1 + (128 - 128) // 64 = 1 frame: "
        f"shape (1, 128), got {frames.shape}"
    )


@check
def power_spectrum_hidden_values(power_spectrum) -> None:
    """Task 2: |rfft|^2 of each frame, of any length, even or odd."""
    rng = np.random.default_rng(21)
    for length in (64, 45):
        frames = rng.standard_normal((5, length))
        power = np.asarray(power_spectrum(frames))
        expected = reference_power(frames)
        assert power.shape == expected.shape, (
            f"5 frames of {length} samples must give 5 spectra of {length} // 2 + 1 = {length // 2 + 1} bins "
            f"(np.fft.rfft), got shape {power.shape}"
        )
        if np.allclose(power, np.sqrt(expected)):
            raise AssertionError("the power spectrum is the squared magnitude |X|^2, not the magnitude |X|")
        if np.allclose(power, expected / length):
            raise AssertionError("the power spectrum is |X|^2 of np.fft.rfft, not divided by the frame length")
        assert not np.iscomplexobj(power), (
            f"the power |X|^2 is a real number: np.abs(X) ** 2 (or (X * X.conj()).real), not the complex X * X.conj(), "
            f"got {power.dtype}"
        )
        assert power.dtype == np.float64, (
            f"the power spectrum of float64 frames must be float64, like every feature (the conventions), got "
            f"{power.dtype}: keep NumPy's dtype, without converting"
        )
        close(power, expected, f"power_spectrum of frames of {length} samples")


@check
def mel_filterbank_hidden_values(mel_filterbank) -> None:
    """Task 3: triangles on the HTK mel scale at other arguments: n_mels, n_fft, the sample rate, f_min, f_max."""
    bank = np.asarray(mel_filterbank(n_mels=12, n_fft=256, sample_rate=8000, f_min=100.0, f_max=3500.0))
    expected = reference_filterbank(12, 256, 8000, 100.0, 3500.0)
    assert bank.shape == expected.shape, (
        f"mel_filterbank(n_mels=12, n_fft=256) must have shape (12, 129), got {bank.shape}"
    )
    linear = np.linspace(100.0, 3500.0, 14)
    centres = np.arange(129) * 8000 / 256
    peaks = centres[bank.argmax(axis=1)]
    if np.allclose(peaks, centres[np.abs(centres[None, :] - linear[1:-1, None]).argmin(axis=1)]):
        raise AssertionError("the filters' edges must be equally spaced in mel (2595 log10(1 + f / 700)), not in Hz")
    if np.allclose(bank, reference_filterbank(12, 256, 8000, 0.0, 3500.0), atol=1e-6):
        raise AssertionError("the lowest edge must be f_min (here 100 Hz), not 0 Hz")
    close(bank, expected, "mel_filterbank(n_mels=12, n_fft=256, sample_rate=8000, f_min=100, f_max=3500)", atol=1e-6)
    assert np.allclose(
        np.asarray(mel_filterbank(n_mels=12, n_fft=256, sample_rate=8000)),
        reference_filterbank(12, 256, 8000),
        atol=1e-6,
    ), "with f_min and f_max left out the filters must span 0 Hz to half the sample rate"


@check
def mel_filterbank_hidden_triangles(mel_filterbank) -> None:
    """Task 3: each filter a triangle of peak 1 (at most), 0 outside its neighbours' centres; bins at k * sample_rate
    / n_fft for an odd n_fft too."""
    bank = np.asarray(mel_filterbank(n_mels=20, n_fft=1024, sample_rate=16000))
    assert bank.min() >= 0 and bank.max() <= 1 + 1e-9, (
        f"each filter must rise from 0 to at most 1 and fall back to 0 (no negative weights, no area normalisation), "
        f"got values from {bank.min():.3g} to {bank.max():.3g}"
    )
    close(bank, reference_filterbank(20, 1024, 16000), "mel_filterbank(n_mels=20, n_fft=1024)", atol=1e-6)
    odd = np.asarray(mel_filterbank(n_mels=10, n_fft=255, sample_rate=8000))
    assert odd.shape == (10, 128), (
        f"mel_filterbank(n_mels=10, n_fft=255) must have shape (10, 255 // 2 + 1), got {odd.shape}"
    )
    if np.allclose(odd, triangles_over(reference_edges(10, 8000), np.linspace(0, 4000, 128)), atol=1e-6):
        raise AssertionError(
            "bin k is the frequency k * sample_rate / n_fft: for an odd n_fft (255) the last bin, 127 * 8000 / 255 Hz, "
            "is below half the sample rate"
        )
    close(odd, reference_filterbank(10, 255, 8000), "mel_filterbank(n_mels=10, n_fft=255, sample_rate=8000)", atol=1e-6)


#: What ``mfcc``'s checks put in place of the student's Tasks 1-3.
MFCC_STAND_INS = {
    "frame_signal": reference_frames,
    "power_spectrum": reference_power,
    "mel_filterbank": reference_filterbank,
}


@check
def mfcc_hidden_values(mfcc) -> None:
    """Task 4: log mel energies in decibels, then the orthonormal DCT-II, the first n_mfcc, at other arguments."""
    signal = note(41, 9000)
    with stand_ins(mfcc, **MFCC_STAND_INS):
        got = np.asarray(mfcc(signal, sample_rate=12000, n_mfcc=7, n_mels=24, frame_length=256, hop_length=100))
    expected = reference_mfcc(signal, 12000, 7, 24, 256, 100)
    assert got.dtype == np.float64, (
        f"the MFCCs are features, float64 like every feature (the conventions): keep float64 from the frames to the "
        f"DCT, got {got.dtype}"
    )
    assert got.shape == expected.shape, (
        f"a signal of 9,000 samples with frame_length=256, hop_length=100 and n_mfcc=7 must give shape "
        f"{expected.shape} (frames, coefficients), got {got.shape}"
    )
    if np.allclose(got, reference_mfcc(signal, 16000, 7, 24, 256, 100), rtol=1e-4):
        raise AssertionError("pass sample_rate on to mel_filterbank: the filters' frequencies depend on it")
    if np.allclose(got, reference_mfcc(signal, 12000, 8, 24, 256, 100)[:, 1:], rtol=1e-4):
        raise AssertionError("keep the first n_mfcc coefficients, coefficient 0 (the loudness) included")
    if np.allclose(got, expected / 10 * math.log(10), rtol=1e-4):
        raise AssertionError("the log mel energies are in decibels, 10 log10(E), not the natural log")
    log_energies = reference_log_energies(signal, 12000, 24, 256, 100)
    if np.allclose(got, scipy.fft.dct(log_energies, type=2, axis=1)[:, :7], rtol=1e-4):
        raise AssertionError("the DCT must be orthonormal: scipy.fft.dct(..., type=2, norm='ortho')")
    close(
        got,
        expected,
        "mfcc(signal, sample_rate=12000, n_mfcc=7, n_mels=24, frame_length=256, hop_length=100)",
        rtol=1e-5,
        atol=1e-6,
    )


@check
def mfcc_hidden_silence(mfcc) -> None:
    """Task 4: silent frames give finite coefficients: the energies are floored at 1e-10 before the logarithm; a
    quiet signal (not silent: energies near the floor) keeps every energy above the floor as it is."""
    signal = np.concatenate([np.zeros(2048), note(42, 2048)])
    with stand_ins(mfcc, **MFCC_STAND_INS):
        got = np.asarray(mfcc(signal))
    assert np.isfinite(got).all(), (
        "silence must give finite coefficients: floor the mel energies at 1e-10 before the logarithm "
        "(np.maximum(energies, 1e-10))"
    )
    close(got, reference_mfcc(signal), "mfcc of half a second of silence and a tone", rtol=1e-5, atol=1e-6)
    quiet = 1e-7 * note(43, 4096)
    with stand_ins(mfcc, **MFCC_STAND_INS):
        got = np.asarray(mfcc(quiet))
    added = scipy.fft.dct(10 * np.log10(reference_energies(quiet) + LOG_FLOOR), type=2, norm="ortho", axis=1)[:, :13]
    if got.shape == added.shape and np.allclose(got, added, rtol=1e-5, atol=1e-6):
        raise AssertionError(
            "the floor is a maximum, max(E, 1e-10), not E + 1e-10: a quiet signal's energies near 1e-10 must keep "
            "their value"
        )
    close(
        got, reference_mfcc(quiet), "mfcc of a quiet signal (amplitude 1e-7: energies near 1e-10)", rtol=1e-5, atol=1e-6
    )


@check
def note_features_hidden_values(note_features) -> None:
    """Task 5: the means, then the standard deviations (over frames, population), of each coefficient."""
    rng = np.random.default_rng(51)
    coefficients = rng.normal(3.0, 2.0, (17, 6))
    features = np.asarray(note_features(coefficients))
    expected = reference_features(coefficients)
    assert features.shape == (12,), (
        f"6 coefficients over 17 frames must give 12 features (the mean and the standard deviation of each coefficient "
        f"over the frames, axis 0), got shape {features.shape}"
    )
    if np.allclose(features[:6], coefficients.mean(axis=1)[:6]):
        raise AssertionError("average each coefficient over the frames (axis 0), not each frame over its coefficients")
    if np.allclose(features[6:], coefficients.std(axis=0, ddof=1)):
        raise AssertionError("the standard deviation over frames is the population one (np.std, ddof=0)")
    close(features, expected, "note_features: the 6 means, then the 6 standard deviations")


@check
def standardiser_hidden_statistics(fit_standardiser) -> None:
    """Task 6: each column's mean and population standard deviation; a constant column's standard deviation 1."""
    rng = np.random.default_rng(61)
    X = rng.normal(5.0, 3.0, (30, 4))
    X[:, 2] = 7.0
    mean, std = (np.asarray(a) for a in fit_standardiser(X))
    expected_mean, expected_std = reference_fit_standardiser(X)
    assert mean.shape == (4,) and std.shape == (4,), (
        f"fit_standardiser of 30 samples of 4 features must return two arrays of shape (4,) (one value per "
        f"feature), got {mean.shape} and {std.shape}"
    )
    assert std[2] == 1.0, f"a constant feature has standard deviation 0: fit_standardiser must give it 1, got {std[2]}"
    if np.allclose(std, np.where(X.std(axis=0, ddof=1) > 0, X.std(axis=0, ddof=1), 1.0)):
        raise AssertionError("use the population standard deviation (np.std, ddof=0)")
    close(mean, expected_mean, "the means")
    close(std, expected_std, "the standard deviations")


@check
def standardiser_hidden_values(standardise) -> None:
    """Task 6: (X - mean) / std with the statistics given, as float32."""
    rng = np.random.default_rng(62)
    X = rng.normal(0, 1, (9, 3))
    mean, std = np.array([1.0, -2.0, 0.5]), np.array([2.0, 1.0, 4.0])
    Z = standardise(X, mean, std)
    assert isinstance(Z, np.ndarray) and Z.dtype == np.float32, (
        f"standardise must return a float32 NumPy array (what the network takes), got "
        f"{type(Z).__name__} of {getattr(Z, 'dtype', None)}"
    )
    if np.allclose(Z, (X - X.mean(axis=0)) / X.std(axis=0), atol=1e-5):
        raise AssertionError("standardise must use the mean and std it is given (the training set's), not X's own")
    close(Z, ((X - mean) / std).astype(np.float32), "standardise(X, mean, std)", rtol=1e-5, atol=1e-6)


@check
def make_mlp_hidden_layers(make_mlp) -> None:
    """Task 7: Linear(n_in, n_hidden), ReLU, Dropout(dropout), Linear(n_hidden, n_classes); logits out."""
    model = make_mlp(10, n_hidden=7, n_classes=3, dropout=0.25)
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(10, 7), (7, 3)], (
        "make_mlp(10, n_hidden=7, n_classes=3) must have the layers Linear(10, 7) and Linear(7, 3), got "
        f"{[(m.in_features, m.out_features) for m in linears]}"
    )
    kinds = [type(m).__name__ for m in model.children()]
    assert kinds == ["Linear", "ReLU", "Dropout", "Linear"], (
        f"the modules must be Linear, ReLU, Dropout, Linear (nothing after the last layer: it outputs logits), "
        f"got {kinds}"
    )
    assert model[2].p == 0.25, f"dropout=0.25 must give nn.Dropout(0.25), got p={model[2].p}"


def problem(seed: int, n: int = 40) -> tuple[torch.Tensor, ...]:
    """Separable data of 3 classes, 4 features: training and validation."""
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n + 15, 4, generator=g)
    y = (X[:, 0] > 0).long() + (X[:, 1] > 0.5).long()
    return X[:n], y[:n], X[n:], y[n:]


@dataclass
class Call:
    """One forward pass of a :class:`Spy`: its samples (by their first feature), the mode, whether gradients were on,
    and whether a backward pass reached its output (a training step)."""

    samples: list[float]
    training: bool
    grad: bool
    backward: bool = False


class Spy(nn.Module):
    """A linear model that records every forward pass (a :class:`Call`)."""

    def __init__(self) -> None:
        super().__init__()
        self.layer, self.calls = nn.Linear(4, 3), []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        call = Call(x[:, 0].tolist(), self.training, torch.is_grad_enabled())
        self.calls.append(call)
        output = self.layer(x)
        if output.requires_grad:
            output.register_hook(lambda gradient: setattr(call, "backward", True))
        return output


@check
def train_classifier_hidden_history(train_classifier) -> None:
    """Task 8: plain SGD on reshuffled minibatches, the four lists after every epoch, as the reference computes."""
    X, y, X_val, y_val = problem(81)
    torch.manual_seed(81)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    reference = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    reference.load_state_dict(model.state_dict())
    history = train_classifier(
        model, X, y, X_val, y_val, lr=0.3, epochs=4, batch_size=6, generator=torch.Generator().manual_seed(5)
    )
    expected = reference_train(reference, X, y, X_val, y_val, 0.3, 4, 6, torch.Generator().manual_seed(5))
    assert isinstance(history, dict) and set(history) == set(HISTORY_KEYS), (
        f"train_classifier must return a dict with the keys {', '.join(HISTORY_KEYS)}, got "
        f"{sorted(history) if isinstance(history, dict) else type(history).__name__}"
    )
    assert all(len(history[key]) == 4 for key in HISTORY_KEYS), "epochs=4 must give 4 values in every list"
    for key in HISTORY_KEYS:
        kinds = sorted({type(value).__name__ for value in history[key] if not isinstance(value, float)})
        assert not kinds, (
            f"history[{key!r}] must hold Python floats (loss.item(), accuracy.item()), got values of type "
            f"{', '.join(kinds)}"
        )
    for trained, expected_parameter in zip(model.parameters(), reference.parameters(), strict=True):
        assert torch.allclose(trained, expected_parameter, atol=1e-5), (
            "after 4 epochs the weights differ from plain SGD (torch.optim.SGD(model.parameters(), lr=lr)) on "
            "nn.CrossEntropyLoss(), one step per minibatch with the gradients zeroed before each"
        )
    for key in HISTORY_KEYS:
        assert np.allclose(history[key], expected[key], atol=1e-5), (
            f"history[{key!r}] must hold, after every epoch, the {key.split('_')[1]} of the whole "
            f"{'training' if key.startswith('train') else 'validation'} set in evaluation mode: expected "
            f"{np.round(expected[key], 4)}, got {np.round(history[key], 4)}"
        )


@check
def train_classifier_hidden_batches(train_classifier) -> None:
    """Task 8: each epoch's minibatches in the order of torch.randperm(n, generator=generator), batch_size each."""
    X, y, X_val, y_val = problem(82, n=20)
    X[:, 0] = torch.arange(20, dtype=torch.float32)  # sample i says who it is
    model = Spy()
    train_classifier(
        model, X, y, X_val, y_val, lr=0.01, epochs=2, batch_size=8, generator=torch.Generator().manual_seed(9)
    )
    trained = [[int(v) for v in call.samples] for call in model.calls if call.backward]  # the mode: another check
    g = torch.Generator().manual_seed(9)
    expected = []
    for _ in range(2):
        order = torch.randperm(20, generator=g).tolist()
        expected += [order[i : i + 8] for i in range(0, 20, 8)]
    assert [len(batch) for batch in trained] == [len(batch) for batch in expected], (
        f"20 samples in batches of 8 for 2 epochs must train on batches of {[len(b) for b in expected]}, got "
        f"{[len(b) for b in trained]}"
    )
    assert trained == expected, (
        "each epoch must reshuffle with order = torch.randperm(len(X_train), generator=generator) and take the "
        "minibatches in that order"
    )


@check
def train_classifier_hidden_modes(train_classifier) -> None:
    """Task 8: training in training mode with gradients; every evaluation in evaluation mode without them."""
    X, y, X_val, y_val = problem(83, n=12)
    model = Spy()
    train_classifier(
        model, X, y, X_val, y_val, lr=0.01, epochs=2, batch_size=6, generator=torch.Generator().manual_seed(1)
    )
    steps = [call for call in model.calls if call.backward]
    in_evaluation = sum(not call.training for call in steps)
    assert not in_evaluation, (  # no step at all is the batches check's and the history check's to report
        f"every training step must run in training mode (model.train() at the start of every epoch): "
        f"{in_evaluation} of the {len(steps)} steps ran in evaluation mode"
    )
    evaluations = [call for call in model.calls if not call.backward]
    assert len(evaluations) >= 4 and all(not call.training and not call.grad for call in evaluations), (
        "evaluate the training and validation sets in evaluation mode (model.eval()) under torch.no_grad()"
    )
