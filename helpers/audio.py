"""Musical notes for the instruments lab: synthetic ones made in seconds, and the real NSynth data set's layout.

:func:`make_notes` plays notes of five instrument families that differ the way real ones do: in which harmonics
they have (a clarinet's odd ones, a bowed string's full sawtooth-like series, a flute's few, a bell's inharmonic
partials), in their envelopes (a bow's slow attack, a pluck's noisy attack and decay, a bell's strike), in their
vibrato, at a pitch drawn from three octaves, with noise. Nothing is downloaded. :func:`load_nsynth` reads a
downloaded copy of NSynth (https://magenta.tensorflow.org/datasets/nsynth: ``examples.json`` and ``audio/*.wav``)
into the same arrays, for a student who wants real recordings.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from scipy.io import wavfile
from tqdm import tqdm

SAMPLE_RATE = 16_000
#: The synthetic families, in label order.
FAMILIES = ("clarinet", "flute", "strings", "guitar", "bell")
#: A bell's partials, as multiples of its pitch: inharmonic (an ideal bar's modes), with their amplitudes.
BELL_PARTIALS = ((1.0, 1.0), (2.756, 0.6), (5.404, 0.4), (8.933, 0.25), (13.34, 0.15))
LOWEST_PITCH, HIGHEST_PITCH = 110.0, 880.0  # A2 to A5, in Hz


def envelope(n: int, sample_rate: int, attack: float, decay: float, sustain: float, release: float) -> np.ndarray:
    """An attack-decay-sustain-release envelope of ``n`` samples: up to 1 in ``attack`` seconds, down to
    ``sustain`` in ``decay`` seconds, held, and down to 0 in the last ``release`` seconds."""
    t = np.arange(n) / sample_rate
    level = np.where(t < attack, t / attack, sustain + (1 - sustain) * np.exp(-(t - attack) / max(decay, 1e-3)))
    end = n / sample_rate
    return level * np.clip((end - t) / release, 0, 1)


def partials(family: str, pitch: float, sample_rate: int) -> tuple[np.ndarray, np.ndarray]:
    """A family's partial frequencies (multiples of ``pitch``, below 90% of the Nyquist frequency) and
    amplitudes."""
    if family == "bell":
        ratios, amplitudes = (np.array(column) for column in zip(*BELL_PARTIALS, strict=True))
    else:
        ratios = np.arange(1, 41, dtype=float)
        flute = np.zeros_like(ratios)
        flute[:4] = (1.0, 0.35, 0.12, 0.05)  # a few harmonics, the first strongest
        amplitudes = {
            "clarinet": np.where(ratios % 2 == 1, 1 / ratios, 0.1 / ratios),  # odd harmonics, the even ones faint
            "flute": flute,
            "strings": 1 / ratios,  # a sawtooth's full series
            "guitar": 1 / ratios**1.3,
        }[family]
    keep = ratios * pitch < 0.45 * sample_rate
    return ratios[keep], amplitudes[keep]


def synth_note(
    family: str, pitch: float, rng: np.random.Generator, duration: float = 1.0, sample_rate: int = SAMPLE_RATE
) -> np.ndarray:
    """One note of ``family`` at ``pitch`` Hz, ``duration`` seconds long, as float32 in [-1, 1]; ``rng`` draws its
    phases, vibrato, envelope details, loudness and noise."""
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}: use one of {', '.join(FAMILIES)}")
    n = round(duration * sample_rate)
    t = np.arange(n) / sample_rate
    vibrato = {"clarinet": 0.002, "flute": 0.006, "strings": 0.008, "guitar": 0.0, "bell": 0.0}[family]
    rate = rng.uniform(4.5, 6.5)
    frequency = pitch * (1 + vibrato * np.sin(2 * np.pi * rate * t + rng.uniform(0, 2 * np.pi)))
    phase = 2 * np.pi * np.cumsum(frequency) / sample_rate
    ratios, amplitudes = partials(family, pitch, sample_rate)
    # no two instruments, players or notes alike: a brighter or darker tone, each partial a little louder or softer
    amplitudes = amplitudes * ratios ** rng.uniform(-0.5, 0.5) * rng.lognormal(0.0, 0.4, len(ratios))
    if family in ("guitar", "bell"):  # struck or plucked: every partial dies away, the high ones first
        speed = (2.0 + 1.5 * ratios) if family == "guitar" else (1.5 + 1.2 * ratios)
        decay = np.exp(-np.outer(speed * rng.uniform(0.7, 1.3), t))
    else:
        decay = np.ones((len(ratios), 1))
    tones = amplitudes[:, None] * decay * np.sin(np.outer(ratios, phase) + rng.uniform(0, 2 * np.pi, (len(ratios), 1)))
    signal = tones.sum(axis=0)
    shape = {
        "clarinet": (rng.uniform(0.02, 0.05), 0.1, 0.85, 0.08),
        "flute": (rng.uniform(0.05, 0.1), 0.1, 0.9, 0.1),
        "strings": (rng.uniform(0.15, 0.3), 0.2, 0.9, 0.15),
        "guitar": (0.004, 1.0, 1.0, 0.02),
        "bell": (0.002, 1.0, 1.0, 0.02),
    }[family]
    level = envelope(n, sample_rate, *shape)
    signal = signal * level
    if family == "flute":  # breath: noise that follows the tone
        signal += 0.08 * rng.standard_normal(n) * level
    if family == "guitar":  # the pluck: a short burst of noise
        signal += 0.5 * rng.standard_normal(n) * np.exp(-t / 0.01)
    signal = signal / np.abs(signal).max() * rng.uniform(0.3, 0.9)
    signal += rng.uniform(0.005, 0.08) * rng.standard_normal(n)  # the room and the microphone
    return np.clip(signal, -1, 1).astype(np.float32)


def make_notes(
    n_per_family: int = 100,
    duration: float = 1.0,
    sample_rate: int = SAMPLE_RATE,
    families: tuple[str, ...] = FAMILIES,
    seed: int = 0,
    progress: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """``n_per_family`` synthetic notes of each family, in a shuffled order: the signals, float32 of shape
    ``(n, duration * sample_rate)``, and the labels, int64 of shape ``(n,)`` (indices into ``families``). The same
    ``seed`` gives the same notes; pitches are drawn log-uniformly from A2 (110 Hz) to A5 (880 Hz). ``progress``
    shows a tqdm bar (a few seconds for 500 notes)."""
    rng = np.random.default_rng(seed)
    signals, labels = [], []
    bar = tqdm(total=n_per_family * len(families), desc="notes", disable=not progress)
    for label, family in enumerate(families):
        for _ in range(n_per_family):
            bar.update()
            pitch = float(np.exp(rng.uniform(np.log(LOWEST_PITCH), np.log(HIGHEST_PITCH))))
            signals.append(synth_note(family, pitch, rng, duration, sample_rate))
            labels.append(label)
    bar.close()
    order = rng.permutation(len(labels))
    return np.stack(signals)[order], np.array(labels, dtype=np.int64)[order]


def load_nsynth(
    folder: str | Path, families: tuple[str, ...] | None = None, max_per_family: int | None = None
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Notes of a downloaded NSynth split (``folder/examples.json`` and ``folder/audio/<note>.wav``, 16 kHz): the
    signals, float32 in [-1, 1] of shape ``(n, samples)``, the labels (indices into the families) and the families,
    ``families`` (default: every ``instrument_family_str`` found, sorted), at most ``max_per_family`` notes of each
    (the first in the order of the notes' names)."""
    folder = Path(folder)
    index = folder / "examples.json"
    if not index.is_file():
        raise FileNotFoundError(
            f"{index} is missing: point load_nsynth at an NSynth split (nsynth-train, -valid or -test), the folder "
            "that holds examples.json and audio/"
        )
    examples = json.loads(index.read_text(encoding="utf-8"))
    found = sorted({example["instrument_family_str"] for example in examples.values()})
    families = tuple(families) if families is not None else tuple(found)
    unknown = [family for family in families if family not in found]
    if unknown:
        raise ValueError(f"no notes of {', '.join(unknown)} in {index}: it has {', '.join(found)}")
    signals, labels, taken = [], [], dict.fromkeys(families, 0)
    for name in sorted(examples):
        family = examples[name]["instrument_family_str"]
        if family not in taken or (max_per_family is not None and taken[family] >= max_per_family):
            continue
        rate, samples = wavfile.read(folder / "audio" / f"{name}.wav")
        if rate != SAMPLE_RATE:
            raise ValueError(f"{name}.wav is sampled at {rate} Hz; NSynth's notes are {SAMPLE_RATE} Hz")
        if samples.dtype == np.int16:
            samples = samples / 32768.0
        signals.append(np.asarray(samples, dtype=np.float32))
        labels.append(families.index(family))
        taken[family] += 1
    if len({len(signal) for signal in signals}) > 1:
        raise ValueError(f"the notes in {folder / 'audio'} differ in length; NSynth's are all 4 s (64,000 samples)")
    return np.stack(signals), np.array(labels, dtype=np.int64), families
