"""The instruments lab's notes: synthetic ones, deterministic and unlike each other as real families are, and the
NSynth loader on a small split written in NSynth's layout."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.io import wavfile

from helpers.audio import FAMILIES, SAMPLE_RATE, load_nsynth, make_notes, synth_note


def spectrum(signal: np.ndarray) -> np.ndarray:
    return np.abs(np.fft.rfft(signal * np.hanning(len(signal)))) ** 2


def test_make_notes_is_seeded_shaped_and_balanced():
    signals, labels = make_notes(3, duration=0.25, seed=7)
    again, labels_again = make_notes(3, duration=0.25, seed=7)
    other, _ = make_notes(3, duration=0.25, seed=8)
    assert signals.shape == (15, 4000) and signals.dtype == np.float32 and labels.dtype == np.int64
    assert np.array_equal(signals, again) and np.array_equal(labels, labels_again)
    assert not np.array_equal(signals, other)
    assert np.bincount(labels).tolist() == [3] * len(FAMILIES) and np.abs(signals).max() <= 1
    assert labels.tolist() != sorted(labels.tolist())  # shuffled


def test_the_families_differ_as_real_instruments_do():
    rng = np.random.default_rng(0)
    pitch = 220.0
    bins = np.fft.rfftfreq(SAMPLE_RATE, 1 / SAMPLE_RATE)  # 1 Hz apart: bin k is k Hz

    def harmonic_power(family: str, k: int) -> float:
        power = spectrum(synth_note(family, pitch, rng))
        return power[(bins > k * pitch - 5) & (bins < k * pitch + 5)].sum()

    clarinet = [harmonic_power("clarinet", k) for k in (1, 2, 3)]
    assert clarinet[2] > 5 * clarinet[1], "a clarinet's third harmonic is far stronger than its second"
    bell = spectrum(synth_note("bell", pitch, rng))
    partial = bell[(bins > 2.756 * pitch - 5) & (bins < 2.756 * pitch + 5)].sum()
    second = bell[(bins > 2 * pitch - 5) & (bins < 2 * pitch + 5)].sum()
    assert partial > 10 * second, "a bell's partials are not whole multiples of its pitch"
    strings, guitar = synth_note("strings", pitch, rng), synth_note("guitar", pitch, rng)
    assert np.abs(strings[:800]).mean() < np.abs(strings[4000:4800]).mean(), "a bowed string starts slowly"
    assert np.abs(guitar[:800]).mean() > 3 * np.abs(guitar[-1600:-800]).mean(), "a plucked string dies away"
    with pytest.raises(ValueError, match="unknown family 'oboe'"):
        synth_note("oboe", pitch, rng)


def write_split(folder, notes: dict[str, tuple[str, np.ndarray]], rate: int = SAMPLE_RATE) -> None:
    """A split in NSynth's layout: examples.json and audio/<note>.wav (16-bit PCM)."""
    (folder / "audio").mkdir(parents=True)
    examples = {}
    for name, (family, samples) in notes.items():
        wavfile.write(folder / "audio" / f"{name}.wav", rate, (samples * 32767).astype(np.int16))
        examples[name] = {"note_str": name, "instrument_family_str": family, "pitch": 60, "sample_rate": rate}
    (folder / "examples.json").write_text(json.dumps(examples))


def test_load_nsynth_reads_a_split_in_nsynths_layout(tmp_path):
    tone = np.sin(2 * np.pi * 440 * np.arange(800) / SAMPLE_RATE) * 0.5
    write_split(
        tmp_path,
        {
            "guitar_acoustic_001-060-100": ("guitar", tone),
            "guitar_acoustic_002-060-100": ("guitar", -tone),
            "mallet_synthetic_001-060-100": ("mallet", tone * 0.5),
            "brass_acoustic_001-060-100": ("brass", tone * 0.25),
        },
    )
    signals, labels, families = load_nsynth(tmp_path)
    assert families == ("brass", "guitar", "mallet") and signals.shape == (4, 800) and signals.dtype == np.float32
    assert labels.tolist() == [0, 1, 1, 2]
    assert np.allclose(signals[1], tone, atol=1e-4) and np.allclose(signals[2], -tone, atol=1e-4)
    signals, labels, families = load_nsynth(tmp_path, families=("mallet", "guitar"), max_per_family=1)
    assert families == ("mallet", "guitar") and labels.tolist() == [1, 0]
    assert np.allclose(signals[0], tone, atol=1e-4)  # the first guitar note by name
    with pytest.raises(ValueError, match=r"no notes of organ .* it has brass, guitar, mallet"):
        load_nsynth(tmp_path, families=("organ",))


def test_load_nsynth_names_what_is_wrong(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"examples\.json is missing: point load_nsynth at an NSynth split"):
        load_nsynth(tmp_path)
    write_split(tmp_path / "fast", {"flute_001-060-100": ("flute", np.zeros(100))}, rate=44100)
    with pytest.raises(ValueError, match="sampled at 44100 Hz; NSynth's notes are 16000 Hz"):
        load_nsynth(tmp_path / "fast")
